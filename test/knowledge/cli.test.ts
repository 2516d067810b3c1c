// `agentpipe index` and `run` with knowledge, through the CLI against the simulator: a stale index
// stops the run, indexing is incremental (counted in the simulator's log), inject adds numbered
// sources with file:line, tool mode offers knowledge_search, and denied files are never indexed.

import { readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { runCli, simEnv, toolsYaml } from '../e2e/helpers.js';
import { makeKnowledgeProject, supportAgent } from './helpers.js';

let sim: Simulator;
let root: string;
let env: NodeJS.ProcessEnv;
const embeddedInputs = () => sim.requests.filter((request) => request.kind === 'embeddings').reduce((sum, request) => sum + (request.inputs ?? 0), 0);
const chatRequests = () => sim.requests.filter((request) => request.kind === undefined);

beforeAll(async () => {
  sim = await startSimulator({ embeddingDimensions: 256 });
  root = await makeKnowledgeProject({
    // docs/internal/ is denied for reading: its file must never reach the index or the embedder.
    'tools.yaml': toolsYaml.replace('".agentpipe/**"]', '".agentpipe/**", "docs/internal/**"]'),
    'docs/internal/salaries.md': '# Salaries\n\nThe CEO earns SECRET-SALARY-7731 per year.\n',
    'agents/helper.yaml': supportAgent({ mode: 'tool' }).replace('name: support', 'name: helper').replace('MARK-support', 'MARK-helper'),
  });
  env = simEnv(sim.url);
});
afterAll(async () => {
  await sim.close();
  await rm(root, { recursive: true, force: true });
});

describe('knowledge through the CLI', () => {
  it('refuses to run on an index that was never built, naming the fix', async () => {
    const result = await runCli(['run', 'agents/support.yaml', '--input', 'question=refund?'], { cwd: root, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/knowledge index of agent 'support' is stale: 85 new file\(s\)/);
    expect(result.stderr).toContain('agentpipe index agents/support.yaml');
    expect(chatRequests()).toHaveLength(0);
  });

  it('indexes every readable file once, never the denied one', async () => {
    sim.reset();
    const result = await runCli(['index', 'agents/support.yaml', '--json'], { cwd: root, env });
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.code).toBe(0);
    const [report] = JSON.parse(result.stdout) as Array<{ files: number; added: number; embeddedChunks: number; chunks: number; denied: Array<{ path: string }>; tokens: number; costUsd: number }>;
    expect(report!.files).toBe(85);
    expect(report!.added).toBe(85);
    expect(report!.denied.map((entry) => entry.path)).toEqual(['docs/internal/salaries.md']);
    expect(embeddedInputs()).toBe(report!.embeddedChunks);
    expect(report!.tokens).toBeGreaterThan(0);
    expect(report!.costUsd).toBeGreaterThan(0);
    // The embedding cost is in the ledger index as step @index of the agent.
    const ledger = (await readFile(join(root, '.agentpipe', 'ledger-index.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { agent: string; step: string; model: string; cost: number; calls: number[][][] });
    const indexing = ledger.filter((line) => line.step === '@index');
    expect(indexing).toHaveLength(1);
    expect(indexing[0]).toMatchObject({ agent: 'support', model: 'openai/text-embedding-3-small' });
    expect(indexing[0]!.cost).toBeCloseTo(report!.costUsd, 9);
    expect(indexing[0]!.calls[0]!.reduce((sum, call) => sum + call[0]!, 0)).toBe(report!.tokens);
    // Nothing of the denied file was sent to the embedder or written to the store (file and WAL).
    expect(JSON.stringify(sim.requests.map((request) => request.body))).not.toContain('SECRET-SALARY');
    for (const file of ['store.db', 'store.db-wal']) {
      const bytes = await readFile(join(root, '.agentpipe', file)).catch(() => Buffer.alloc(0));
      expect(bytes.includes('SECRET-SALARY')).toBe(false);
    }
  });

  it('re-embeds only the changed file on the next index', async () => {
    sim.reset();
    const unchanged = await runCli(['index', 'agents/support.yaml'], { cwd: root, env });
    expect(unchanged.code).toBe(0);
    expect(unchanged.stdout).toContain('up to date');
    expect(embeddedInputs()).toBe(0);
    await appendFile(join(root, 'docs/billing/refunds.md'), '\nRefunds for gift cards are never possible.\n');
    const changed = await runCli(['index', 'agents/support.yaml', '--json'], { cwd: root, env });
    const [report] = JSON.parse(changed.stdout) as Array<{ changed: number; unchanged: number; embeddedChunks: number }>;
    expect(report).toMatchObject({ changed: 1, unchanged: 84 });
    expect(embeddedInputs()).toBe(report!.embeddedChunks);
    expect(report!.embeddedChunks).toBeLessThanOrEqual(3);
  });

  it('injects numbered sources with file:line before the call and charges the query embedding', async () => {
    sim.reset();
    sim.enqueue({ text: 'Annual plans are refundable pro rata during the first 30 days [1].', usage: { input: 300, output: 20 } });
    const result = await runCli(['run', 'agents/support.yaml', '--input', 'question=Can I get a refund on an annual plan?', '--json'], { cwd: root, env });
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.code).toBe(0);
    const chat = chatRequests()[0]!;
    const body = JSON.stringify(chat.body);
    expect(body).toMatch(/\[1\] docs\/billing\/refunds\.md:\d+(-\d+)?/);
    expect(body).toContain('pro rata');
    const events = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.find((event) => event.type === 'knowledge-retrieved')).toMatchObject({ index: 'support' });
    const usages = events.filter((event) => event.type === 'usage').map((event) => event.model);
    expect(usages).toContain('openai/text-embedding-3-small');
  });

  it('run --sim embeds the question with the built-in simulator too: no key, no provider reached', async () => {
    sim.reset();
    const result = await runCli(['run', 'agents/support.yaml', '--sim', '--input', 'question=Can I get a refund?', '--json'], { cwd: root, env: simEnv('http://127.0.0.1:9', {}) });
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.code).toBe(0);
    expect(sim.requests).toHaveLength(0);
    const events = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.find((event) => event.type === 'knowledge-retrieved')).toMatchObject({ index: 'support' });
  });

  it('offers knowledge_search as an implicit tool in tool mode', async () => {
    const index = await runCli(['index', 'agents/helper.yaml'], { cwd: root, env });
    expect(index.code).toBe(0);
    sim.reset();
    sim.enqueue({ toolCalls: [{ name: 'knowledge_search', input: { query: 'E4012 token expired' } }] }, { text: 'The token expired [1].' });
    const result = await runCli(['run', 'agents/helper.yaml', '--input', 'question=what is E4012?'], { cwd: root, env });
    expect(result.code).toBe(0);
    const [first, second] = chatRequests();
    expect(JSON.stringify(first!.body)).toContain('knowledge_search');
    expect(JSON.stringify(second!.body)).toMatch(/docs\/api\/errors\.md:\d+/);
    const auditPath = join(root, '.agentpipe', 'runs', (result.stderr.match(/run (\S+):/) ?? [])[1] ?? 'none', 'audit.jsonl');
    const audit = await readFile(auditPath, 'utf8').catch(() => '');
    expect(audit).toContain('"tool":"knowledge_search"');
  });

  it('run --reindex brings a stale index up to date first and says so', async () => {
    await writeFile(join(root, 'docs/billing/new-page.md'), '# Gift cards\n\nGift cards never expire.\n');
    const stale = await runCli(['run', 'agents/support.yaml', '--input', 'question=gift cards?'], { cwd: root, env });
    expect(stale.code).toBe(2);
    expect(stale.stderr).toMatch(/stale: 1 new file\(s\) \(docs\/billing\/new-page\.md\)/);
    sim.reset();
    const result = await runCli(['run', 'agents/support.yaml', '--input', 'question=gift cards?', '--reindex'], { cwd: root, env });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/--reindex: support: .*1 new/);
    // Its embedding calls (one file's chunks) are charged in the ledger index as @index too.
    const lines = (await readFile(join(root, '.agentpipe', 'ledger-index.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { step: string; cost: number; calls: number[][][] });
    const last = lines.filter((line) => line.step === '@index').at(-1)!;
    expect(last.calls[0]!.length).toBeGreaterThanOrEqual(1);
    expect(last.cost).toBeGreaterThan(0);
    expect(lines.filter((line) => line.step === '@index').length).toBeGreaterThanOrEqual(2);
  });

  it('estimate counts retrieval and indexing tokens; explain shows sources and index state', async () => {
    const estimate = await runCli(['estimate', 'agents/support.yaml', '--format', 'json', '--input', 'question=refunds?'], { cwd: root, env });
    expect(estimate.code).toBe(0);
    const step = (JSON.parse(estimate.stdout) as { steps: Array<{ knowledge: { retrievalTokens: number; queryTokens: number; index: { files: number; chunks: number; tokens: number } } }> }).steps[0]!;
    expect(step.knowledge.index.files).toBe(86);
    expect(step.knowledge.index.chunks).toBeGreaterThanOrEqual(66);
    expect(step.knowledge.index.tokens).toBeGreaterThan(1000);
    expect(step.knowledge.retrievalTokens).toBeGreaterThan(0);
    const text = await runCli(['estimate', 'agents/support.yaml', '--input', 'question=refunds?'], { cwd: root, env });
    expect(text.stdout).toMatch(/knowledge of support: up to \d+ retrieval tokens/);
    const explained = await runCli(['explain', 'agents/support.yaml'], { cwd: root, env });
    expect(explained.stdout).toContain('sources: docs/**/*.md (86 readable file(s))');
    expect(explained.stdout).toContain('index: up to date');
    expect(explained.stdout).toContain('not indexed (read permissions): docs/internal/salaries.md');
    await appendFile(join(root, 'docs/api/errors.md'), '\nE6000 is new.\n');
    const stale = await runCli(['explain', 'agents/support.yaml', '--json'], { cwd: root, env });
    expect((JSON.parse(stale.stdout) as { knowledgeIndex: Array<{ index: string; detail: string }> }).knowledgeIndex[0]).toMatchObject({ index: 'stale', detail: '1 changed file(s) (docs/api/errors.md)' });
  });

  it('lint refuses an embedding model on a provider without embeddings and a listed implicit tool', async () => {
    await writeFile(join(root, 'agents/broken.yaml'), supportAgent({ embedding: 'anthropic/claude-test', extra: 'tools: [knowledge_search]\n' }).replace('name: support', 'name: broken'));
    const result = await runCli(['lint', '--format', 'json'], { cwd: root, env });
    await rm(join(root, 'agents/broken.yaml'));
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('has no embeddings API');
    expect(result.stdout).toContain('is implicit');
  });
});
