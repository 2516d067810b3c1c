// Retrieval quality on the labelled corpus (test/fixtures/knowledge-corpus: 92 documents under
// docs/ and src/ — product docs, runbooks, ADRs, API reference, code — and 62 questions in
// questions.json, each with its source document and a kind: paraphrase, identifier or ordinary;
// questions-easy.json keeps an earlier, plainer set of 54). Reports recall@5, recall@1 and MRR (over
// the top 5) of lexical (FTS5 BM25), vector (simulated embedder through the openai SDK) and hybrid
// (reciprocal rank fusion) retrieval, overall and per kind, and asserts hybrid >= each alone.

import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAndCompile } from '../../src/compile/project.js';
import { runIndex } from '../../src/knowledge/run-index.js';
import { retrieve } from '../../src/knowledge/retrieve.js';
import { createEmbedder, hasKnowledge, type KnowledgeAgent } from '../../src/knowledge/service.js';
import { normalize, toFloat32 } from '../../src/store/quantize.js';
import { openStores } from '../../src/store/registry.js';
import type { Stores } from '../../src/store/types.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { simEnv } from '../e2e/helpers.js';
import { loadQuestions, makeKnowledgeProject, supportAgent, type LabelledQuestion } from './helpers.js';

let sim: Simulator;
let root: string;
let stores: Stores;
let agent: KnowledgeAgent;
let env: NodeJS.ProcessEnv;

const methods = ['lexical', 'vector', 'hybrid'] as const;
type Method = (typeof methods)[number];
interface Scores {
  recall5: number;
  recall1: number;
  mrr: number;
}

beforeAll(async () => {
  sim = await startSimulator();
  root = await makeKnowledgeProject({ 'agents/support.yaml': supportAgent({ sources: '"docs/**/*.md", "src/**/*"' }) });
  env = simEnv(sim.url);
  const { pipeline } = await loadAndCompile('agents/support.yaml', { cwd: root, env });
  const compiled = pipeline.steps[0]!.agent;
  if (!hasKnowledge(compiled)) throw new Error('no knowledge');
  agent = compiled;
  stores = await openStores({ root });
  const report = await runIndex(agent, stores.knowledge, env);
  expect(report.files).toBe(92);
});
afterAll(async () => {
  stores?.close();
  await sim?.close();
  await rm(root, { recursive: true, force: true });
});

/** Scores of each method over `questions`: the rank of the first chunk of the source document in the top 5. */
async function evaluate(questions: LabelledQuestion[]): Promise<Record<Method, Scores>> {
  const embed = createEmbedder(agent.knowledge.embedding, { env });
  const vectors = await embed(questions.map((entry) => entry.question));
  const result = {} as Record<Method, Scores>;
  for (const method of methods) {
    const ranks = questions.map((entry, index) => {
      const hits = retrieve(stores.knowledge, 'support', entry.question, normalize(toFloat32(vectors[index]!)), { topK: 5, minScore: 0, method });
      const rank = hits.findIndex((hit) => hit.path === entry.source) + 1;
      // RETRIEVAL_DEBUG=1 prints every question whose source is not the first hit, with what came instead.
      if (process.env['RETRIEVAL_DEBUG'] && rank !== 1) console.log(`${method} ${rank} ${entry.kind ?? 'easy'} ${entry.question} -> ${entry.source}: ${hits.map((hit) => `${hit.path}:${hit.startLine}`).join(', ')}`);
      return rank;
    });
    result[method] = {
      recall5: ranks.filter((rank) => rank > 0).length / ranks.length,
      recall1: ranks.filter((rank) => rank === 1).length / ranks.length,
      mrr: ranks.reduce((sum, rank) => sum + (rank > 0 ? 1 / rank : 0), 0) / ranks.length,
    };
  }
  return result;
}

const show = (label: string, count: number, scores: Record<Method, Scores>) =>
  `${label} (${count}): ` + methods.map((method) => `${method} R@5 ${scores[method].recall5.toFixed(3)} R@1 ${scores[method].recall1.toFixed(3)} MRR ${scores[method].mrr.toFixed(3)}`).join(' | ');

describe('retrieval quality', () => {
  it('reports recall@5, recall@1 and MRR for lexical, vector and hybrid; hybrid is at least as good as each alone', async () => {
    const questions = await loadQuestions();
    expect(questions.length).toBeGreaterThanOrEqual(40);
    const overall = await evaluate(questions);
    const lines = [show('all questions', questions.length, overall)];
    for (const kind of ['paraphrase', 'identifier', 'ordinary'] as const) {
      const subset = questions.filter((entry) => entry.kind === kind);
      lines.push(show(kind, subset.length, await evaluate(subset)));
    }
    console.log(lines.join('\n'));
    expect(overall.hybrid.recall5).toBeGreaterThanOrEqual(overall.lexical.recall5);
    expect(overall.hybrid.recall5).toBeGreaterThanOrEqual(overall.vector.recall5);
    // Floors that a broken ranking (random, or one side missing) would not reach.
    expect(overall.hybrid.recall5).toBeGreaterThan(0.9);
    expect(overall.hybrid.mrr).toBeGreaterThan(0.7);
  });

  it('does as well on the earlier, plainer question set', async () => {
    const questions = await loadQuestions('questions-easy');
    const scores = await evaluate(questions);
    console.log(show('questions-easy', questions.length, scores));
    expect(scores.hybrid.recall5).toBeGreaterThanOrEqual(scores.lexical.recall5);
    expect(scores.hybrid.recall5).toBeGreaterThanOrEqual(scores.vector.recall5);
    expect(scores.hybrid.recall5).toBeGreaterThan(0.9);
  });

  it('finds an exact error code through BM25 and gives file:line provenance', async () => {
    const embed = createEmbedder(agent.knowledge.embedding, { env });
    const [vector] = await embed(['E4031']);
    const hits = retrieve(stores.knowledge, 'support', 'E4031', normalize(toFloat32(vector!)), { topK: 3, minScore: 0.99 });
    expect(hits.map((hit) => hit.path)).toContain('docs/api/errors.md');
    expect(hits[0]?.startLine).toBeGreaterThanOrEqual(1);
    expect(hits[0]?.lexicalRank).toBe(1);
  });
});
