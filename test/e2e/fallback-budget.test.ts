import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { agentYaml, makeProject, onlyRunId, readJsonLines, runCli, simEnv } from './helpers.js';

let sim: Simulator;
let root: string | undefined;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
afterEach(async () => {
  sim.reset();
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
});

describe('fallback', () => {
  it('falls from a 429d model to the next one, in the events and in the ledger', async () => {
    root = await makeProject({ 'agents/helper.yaml': agentYaml('helper') });
    sim.addFault({ kind: 'rate-limit', model: 'claude-test', retryAfterSeconds: 0 });
    sim.enqueue({ text: 'answer from the fallback', usage: { input: 1000, output: 100 } });
    const first = sim.requests.length;
    const result = await runCli(['run', 'agents/helper.yaml', '--input', 'task=hi'], { cwd: root, env: simEnv(sim.url) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('answer from the fallback');
    expect(sim.requests.slice(first).map((request) => [request.api, request.status])).toEqual([
      ['anthropic', 429],
      ['openai', 200],
    ]);
    const runId = await onlyRunId(root);
    const events = await readJsonLines(join(root, '.agentpipe/runs', runId, 'events.jsonl'));
    expect(events.find((event) => event['type'] === 'model-fallback')).toMatchObject({
      from: 'anthropic/claude-test',
      to: 'openai/gpt-test',
      errorClass: 'rate_limited',
      status: 429,
      stepId: 'helper',
    });
    expect(result.stderr).toMatch(/fallback anthropic\/claude-test -> openai\/gpt-test/);
    const state = JSON.parse(await readFile(join(root, '.agentpipe/runs', runId, 'run.json'), 'utf8'));
    expect(state.ledger.entries).toHaveLength(1);
    // 1000 in at $2/M + 100 out at $8/M.
    expect(state.ledger.entries[0]).toMatchObject({ provider: 'openai', model: 'openai/gpt-test', stepId: 'helper' });
    expect(state.ledger.entries[0].costUsd).toBeCloseTo(0.0028, 6);
    const runs = await runCli(['runs', runId], { cwd: root, env: simEnv(sim.url) });
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(/by provider:\n\s+openai\s+1 calls/);
  });
});

describe('budget', () => {
  it('warns once at 80%, stops before the tools of the answer that crosses 100%, saves state and exits 3', async () => {
    root = await makeProject({ 'agents/spender.yaml': agentYaml('spender', { tools: ['read'], limits: '{ max_cost: 0.02 }' }), 'src/a.txt': 'a' });
    // Each turn costs 1000 * $3/M + 1000 * $15/M = $0.018: the first crosses 80%, the second 100%.
    const turn = { toolCalls: [{ name: 'read', input: { path: 'src/a.txt' } }], usage: { input: 1000, output: 1000 } };
    sim.enqueue(turn, turn, turn, turn);
    const first = sim.requests.length;
    const result = await runCli(['run', 'agents/spender.yaml', '--input', 'task=spend', '--json'], { cwd: root, env: simEnv(sim.url) });
    expect(result.code).toBe(3);
    expect(sim.requests.length - first).toBe(2);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    // The run, the step and the agent share the limit: one warning, for the narrowest.
    expect(lines.filter((line) => line['type'] === 'budget-warning')).toEqual([expect.objectContaining({ scope: 'agent:spender@spender', limitUsd: 0.02 })]);
    // The first answer's tool ran; the second answer's did not.
    expect(lines.filter((line) => line['type'] === 'tool-call')).toHaveLength(1);
    expect(lines.at(-1)).toMatchObject({ type: 'run-result', status: 'budget-exceeded' });
    expect(String(lines.at(-1)?.['error'])).toBe("budget exceeded: agent 'spender' spent $0.04 of its $0.02 limit (limits.max_cost in agents/spender.yaml); run state saved");
    const runId = await onlyRunId(root);
    const state = JSON.parse(await readFile(join(root, '.agentpipe/runs', runId, 'run.json'), 'utf8'));
    expect(state.status).toBe('budget-exceeded');
    expect(state.costUsd).toBeCloseTo(0.036, 6);
    expect(await readJsonLines(join(root, '.agentpipe/runs', runId, 'audit.jsonl'))).toHaveLength(1);
  });

  it('one call past the limit: one "budget exceeded" line naming the scope and limit, no tool call, the step with its real cost', async () => {
    root = await makeProject({ 'agents/spender.yaml': agentYaml('spender', { tools: ['read'], limits: '{ max_cost: 0.10 }' }), 'src/a.txt': 'a' });
    // 10,000 in at $3/M + 11,333 out at $15/M = $0.20: twice the limit in one call.
    sim.enqueue({ toolCalls: [{ name: 'read', input: { path: 'src/a.txt' } }], usage: { input: 10000, output: 11333 } });
    const result = await runCli(['run', 'agents/spender.yaml', '--input', 'task=spend'], { cwd: root, env: simEnv(sim.url) });
    expect(result.code).toBe(3);
    const lines = result.stderr.split('\n');
    expect(lines.filter((line) => /budget (warning|exceeded)/.test(line))).toEqual([
      "agentpipe: budget exceeded: agent 'spender' spent $0.20 of its $0.10 limit (limits.max_cost in agents/spender.yaml); run state saved",
    ]);
    expect(result.stderr).not.toMatch(/tool read/);
    expect(lines).toContainEqual(expect.stringMatching(/^  spender  budget  anthropic\/claude-test  21333 tok  \$0\.20  (\d+ ms|\d+\.\d s)$/));
    expect(result.stderr.endsWith(`resume with: agentpipe run --resume ${await onlyRunId(root)}\n`)).toBe(true);
    expect(await readFile(join(root, '.agentpipe/runs', await onlyRunId(root), 'audit.jsonl'), 'utf8')).toBe('');
  });
});
