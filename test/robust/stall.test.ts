// A run whose tool is stuck in a catastrophic regex (minutes of backtracking) still answers SIGINT
// and SIGTERM promptly, with its state saved and resumable: the regex runs off the main thread.

import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { agentYaml, makeProject, onlyRunId, pause, runFile, spawnCli, simEnv } from '../e2e/helpers.js';

let sim: Simulator;
let root: string;
beforeAll(async () => {
  sim = await startSimulator();
  root = await makeProject({
    'agents/grepper.yaml': agentYaml('grepper', { tools: ['grep'] }),
    'agents/timed.yaml': agentYaml('timed', { tools: ['grep'], limits: '{ timeout: 2s }' }), 'src/evil.txt': `${'a'.repeat(34)}!\n` });
});
afterAll(async () => {
  await sim.close();
  await rm(root, { recursive: true, force: true });
});

/** The grep is running once the simulator has answered the first call with the tool call. */
async function waitForGrep(): Promise<void> {
  for (let tries = 0; tries < 400 && sim.requests.length === 0; tries++) await pause(25);
  await pause(500);
}

describe('a run blocked in a pathological regex', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`ends on ${signal} well within the regex's running time, state saved as interrupted`, async () => {
      await rm(join(root, '.agentpipe'), { recursive: true, force: true });
      sim.reset();
      sim.enqueue({ toolCalls: [{ name: 'grep', input: { pattern: '^(a+)+$', glob: 'src/**' } }] }, { text: 'done' });
      const { child, done } = spawnCli(['run', 'agents/grepper.yaml', '--input', 'task=find it'], { cwd: root, env: simEnv(sim.url) });
      await waitForGrep();
      const sent = Date.now();
      child.kill(signal);
      const result = await done;
      const elapsed = Date.now() - sent;
      expect(result.stderr).not.toMatch(/internal error/);
      expect(result.code).toBe(130);
      // Generous: the regex alone would run for about two minutes; the exit follows the signal at once.
      expect(elapsed).toBeLessThan(10_000);
      const runId = await onlyRunId(root);
      const state = JSON.parse(await readFile(runFile(root, runId, 'run.json'), 'utf8'));
      expect(state.status).toBe('interrupted');
    });
  }

  it('limits.timeout: 2s ends the run in about 2 s, though the regex would run for minutes', async () => {
    await rm(join(root, '.agentpipe'), { recursive: true, force: true });
    sim.reset();
    sim.enqueue({ toolCalls: [{ name: 'grep', input: { pattern: '^(a+)+$', glob: 'src/**' } }] }, { text: 'done' });
    const started = Date.now();
    const { done } = spawnCli(['run', 'agents/timed.yaml', '--input', 'task=find it'], { cwd: root, env: simEnv(sim.url) });
    const result = await done;
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/time/i);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
