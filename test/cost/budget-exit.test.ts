// A run whose one answer crossed max_cost keeps and prints that answer, yet exits 3 (over budget),
// as the exit-code table says; the run-result event says so too.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { agentYaml, makeProject, runCli, simEnv } from '../e2e/helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});

describe('budget exit code', () => {
  it('exits 3 when the answer that crossed max_cost was kept', async () => {
    const root = await makeProject({ 'agents/spender.yaml': agentYaml('spender', { limits: '{ max_cost: 0.001 }' }) });
    try {
      // 1000 in at $3/M + 1000 out at $15/M = $0.018, eighteen times the limit, in one final answer.
      sim.enqueue({ text: 'the kept answer', usage: { input: 1000, output: 1000 } });
      const result = await runCli(['run', 'agents/spender.yaml', '--input', 'task=spend'], { cwd: root, env: simEnv(sim.url) });
      expect(result.code).toBe(3);
      expect(result.stdout).toContain('the kept answer');
      expect(result.stderr).toContain("budget exceeded: agent 'spender' spent $0.02 of its $0.0010 limit");
      sim.enqueue({ text: 'again', usage: { input: 1000, output: 1000 } });
      const json = await runCli(['run', 'agents/spender.yaml', '--input', 'task=spend', '--json'], { cwd: root, env: simEnv(sim.url) });
      expect(json.code).toBe(3);
      const events = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(events.every((event) => typeof event['runId'] === 'string')).toBe(true);
      expect(events.at(-1)).toMatchObject({ type: 'run-result', status: 'succeeded', budgetExceeded: true });
      // Under a cent: two significant digits.
      expect(result.stderr).toMatch(/\$0\.018\b|\$0\.02\b/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 60_000);
});
