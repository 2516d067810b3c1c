// Retrieval quality on the labelled corpus (test/fixtures/knowledge-corpus: 65 documents, 54
// questions, each with its source document): recall@5 of lexical (FTS5 BM25), vector (simulated
// embedder through the openai SDK) and hybrid (reciprocal rank fusion) retrieval.

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
import { loadQuestions, makeKnowledgeProject, type LabelledQuestion } from './helpers.js';

let sim: Simulator;
let root: string;
let stores: Stores;
let agent: KnowledgeAgent;
let env: NodeJS.ProcessEnv;
let questions: LabelledQuestion[];

beforeAll(async () => {
  sim = await startSimulator();
  root = await makeKnowledgeProject();
  env = simEnv(sim.url);
  const { pipeline } = await loadAndCompile('agents/support.yaml', { cwd: root, env });
  const compiled = pipeline.steps[0]!.agent;
  if (!hasKnowledge(compiled)) throw new Error('no knowledge');
  agent = compiled;
  stores = await openStores({ root });
  questions = await loadQuestions();
  const report = await runIndex(agent, stores.knowledge, env);
  expect(report.files).toBe(65);
});
afterAll(async () => {
  stores?.close();
  await sim?.close();
  await rm(root, { recursive: true, force: true });
});

describe('retrieval quality', () => {
  it('reports recall@5 for lexical, vector and hybrid; hybrid is at least as good as each alone', async () => {
    expect(questions.length).toBeGreaterThanOrEqual(40);
    const embed = createEmbedder(agent.knowledge.embedding, { env });
    const vectors = await embed(questions.map((entry) => entry.question));
    const recall: Record<'lexical' | 'vector' | 'hybrid', number> = { lexical: 0, vector: 0, hybrid: 0 };
    const first: Record<'lexical' | 'vector' | 'hybrid', number> = { lexical: 0, vector: 0, hybrid: 0 };
    for (const method of ['lexical', 'vector', 'hybrid'] as const) {
      let found = 0;
      let top = 0;
      questions.forEach((entry, index) => {
        const hits = retrieve(stores.knowledge, 'support', entry.question, normalize(toFloat32(vectors[index]!)), { topK: 5, minScore: 0, method });
        if (hits.some((hit) => hit.path === entry.source)) found++;
        if (hits[0]?.path === entry.source) top++;
      });
      recall[method] = found / questions.length;
      first[method] = top / questions.length;
    }
    const show = (values: typeof recall) => `lexical ${values.lexical.toFixed(3)}, vector ${values.vector.toFixed(3)}, hybrid ${values.hybrid.toFixed(3)}`;
    console.log(`recall@5 over ${questions.length} questions: ${show(recall)}; recall@1 (for information): ${show(first)}`);
    expect(recall.hybrid).toBeGreaterThanOrEqual(recall.lexical);
    expect(recall.hybrid).toBeGreaterThanOrEqual(recall.vector);
    // A floor that a broken ranking (random, or one side missing) would not reach.
    expect(recall.hybrid).toBeGreaterThan(0.8);
  });

  it('finds an exact error code through BM25 and gives file:line provenance', async () => {
    const embed = createEmbedder(agent.knowledge.embedding, { env });
    const [vector] = await embed(['E4031']);
    const hits = retrieve(stores.knowledge, 'support', 'E4031', normalize(toFloat32(vector!)), { topK: 3, minScore: 0.99 });
    expect(hits[0]?.path).toBe('docs/api/errors.md');
    expect(hits[0]?.startLine).toBeGreaterThanOrEqual(1);
    expect(hits[0]?.lexicalRank).toBe(1);
  });
});
