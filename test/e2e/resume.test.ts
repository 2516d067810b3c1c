import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimRequest, type Simulator } from '../../src/sim/index.js';
import { agentYaml, makeProject, onlyRunId, runCli, simEnv, spawnCli } from './helpers.js';

const stepIds = ['s1', 's2', 's3', 's4', 's5', 's6'];
const template = `version: 1
name: six
steps:
${stepIds.map((id, index) => `  - id: ${id}\n    agent: worker\n    with: { task: "do-${id}" }${index > 0 ? `\n    needs: [${stepIds[index - 1]}]` : ''}`).join('\n')}
outputs: { last: "{{steps.s6.output}}" }
`;

const stepOf = (request: SimRequest) => /do-(s\d)/.exec(JSON.stringify(request.body))?.[1];

let sim: Simulator;
let root: string;
beforeAll(async () => {
  // Slow enough that the process is surely mid-step when it is killed.
  sim = await startSimulator({ script: (request) => ({ text: `done ${stepOf(request)}`, latencyMs: 400, usage: { input: 100, output: 10 } }) });
  root = await makeProject({ 'agents/worker.yaml': agentYaml('worker'), 'templates/six.yaml': template });
});
afterAll(async () => {
  await sim.close();
  await rm(root, { recursive: true, force: true });
});

async function waitForStep(file: () => Promise<string>, step: string): Promise<void> {
  for (;;) {
    const text = await file().catch(() => '');
    try {
      if (JSON.parse(text).steps?.[step]?.status === 'succeeded') return;
    } catch {
      // run.json is replaced atomically, so a parse error only means "not there yet"
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('resume', () => {
  it('after SIGKILL, continues without calling finished steps again and pays each step once', async () => {
    const env = simEnv(sim.url);
    const { child, done } = spawnCli(['run', 'templates/six.yaml'], { cwd: root, env });
    let runId = '';
    for (; !runId; await new Promise((resolve) => setTimeout(resolve, 10))) runId = await onlyRunId(root).catch(() => '');
    const stateFile = join(root, '.agentpipe/runs', runId, 'run.json');
    await waitForStep(() => readFile(stateFile, 'utf8'), 's3');
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    const killed = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(killed.status).toBe('running');
    expect(killed.steps.s4?.status ?? 'pending').not.toBe('succeeded');

    const before = sim.requests.length;
    const resumed = await runCli(['run', '--resume', runId], { cwd: root, env });
    expect(resumed.stderr).not.toMatch(/internal error/);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('done s6');
    const after = sim.requests.slice(before).map(stepOf);
    expect(after).not.toContain('s1');
    expect(after).not.toContain('s2');
    expect(after).not.toContain('s3');
    expect(after.slice(-2)).toEqual(['s5', 's6']);
    // Over both processes, steps 1-3 were requested exactly once.
    const all = sim.requests.map(stepOf);
    for (const id of ['s1', 's2', 's3']) expect(all.filter((step) => step === id)).toHaveLength(1);

    const state = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(state.status).toBe('succeeded');
    expect(state.ledger.entries.map((entry: { stepId: string }) => entry.stepId).sort()).toEqual(stepIds);
    // 6 calls of 100 in at $3/M + 10 out at $15/M.
    expect(state.costUsd).toBeCloseTo(6 * 0.00045, 8);
  });

  it('on SIGINT aborts, saves state as interrupted, exits 130, and resumes from there', async () => {
    await rm(join(root, '.agentpipe'), { recursive: true, force: true });
    const env = simEnv(sim.url);
    const { child, done } = spawnCli(['run', 'templates/six.yaml'], { cwd: root, env });
    let runId = '';
    for (; !runId; await new Promise((resolve) => setTimeout(resolve, 10))) runId = await onlyRunId(root).catch(() => '');
    const stateFile = join(root, '.agentpipe/runs', runId, 'run.json');
    await waitForStep(() => readFile(stateFile, 'utf8'), 's2');
    child.kill('SIGINT');
    const interrupted = await done;
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain(`agentpipe run --resume ${runId}`);
    expect(interrupted.stderr).not.toMatch(/internal error/);
    const saved = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(saved.status).toBe('interrupted');
    expect(saved.steps.s2.status).toBe('succeeded');

    const resumed = await runCli(['run', '--resume', runId], { cwd: root, env });
    expect(resumed.code).toBe(0);
    const state = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(state.status).toBe('succeeded');
    expect(state.ledger.entries.filter((entry: { stepId: string }) => entry.stepId === 's1')).toHaveLength(1);
  });
});
