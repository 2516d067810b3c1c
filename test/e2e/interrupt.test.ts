// Interrupts without a terminal (resume.test.ts covers one SIGINT; progress.test.ts the terminal):
// SIGTERM is handled like Ctrl-C, and a second signal during shutdown exits at once while leaving
// a run.json that parses and resumes, with no lock and no temp file left behind.

import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimRequest, type Simulator } from '../../src/sim/index.js';
import { agentYaml, makeProject, onlyRunId, runCli, simEnv, spawnCli } from './helpers.js';

const template = `version: 1
name: relay
steps:
  - { id: r1, agent: worker, with: { task: "do-r1" } }
  - { id: r2, agent: worker, with: { task: "do-r2" }, needs: [r1] }
  - { id: r3, agent: worker, with: { task: "do-r3" }, needs: [r2] }
  - { id: r4, agent: worker, with: { task: "do-r4" }, needs: [r3] }
outputs: { last: "{{steps.r4.output}}" }
`;

const stepOf = (request: SimRequest) => /do-(r\d)/.exec(JSON.stringify(request.body))?.[1];

let sim: Simulator;
let root: string;
beforeAll(async () => {
  // Each call takes 400 ms, so a signal sent just after a step is saved lands mid-call.
  sim = await startSimulator({ script: (request) => ({ text: `done ${stepOf(request)}`, latencyMs: 400, usage: { input: 100, output: 10 } }) });
  root = await makeProject({ 'agents/worker.yaml': agentYaml('worker'), 'templates/relay.yaml': template });
});
afterAll(async () => {
  await sim.close();
  await rm(root, { recursive: true, force: true });
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const runFile = (runId: string, name: string) => join(root, '.agentpipe/runs', runId, name);

async function startAndWaitFor(step: string) {
  await rm(join(root, '.agentpipe'), { recursive: true, force: true });
  const env = simEnv(sim.url);
  const run = spawnCli(['run', 'templates/relay.yaml'], { cwd: root, env });
  for (;;) {
    const runId = await onlyRunId(root).catch(() => '');
    const state = runId ? await readFile(runFile(runId, 'run.json'), 'utf8').then(JSON.parse, () => undefined) : undefined;
    if (state?.steps?.[step]?.status === 'succeeded') return { ...run, runId, env };
    await pause(10);
  }
}

async function resumeToTheEnd(runId: string, env: NodeJS.ProcessEnv) {
  const resumed = await runCli(['run', '--resume', runId], { cwd: root, env });
  expect(resumed.stderr).not.toMatch(/internal error/);
  expect(resumed.code).toBe(0);
  expect(resumed.stdout).toContain('done r4');
  const state = JSON.parse(await readFile(runFile(runId, 'run.json'), 'utf8'));
  expect(state.status).toBe('succeeded');
  // Over both processes, each step was paid once.
  expect(state.ledger.entries.map((entry: { stepId: string }) => entry.stepId).sort()).toEqual(['r1', 'r2', 'r3', 'r4']);
  expect((await readdir(runFile(runId, ''))).filter((name) => name === 'lock' || name.endsWith('.tmp'))).toEqual([]);
}

describe('interrupts', () => {
  it('SIGTERM saves the state as interrupted, exits 130 and says how to resume, like Ctrl-C', async () => {
    const { child, done, runId, env } = await startAndWaitFor('r1');
    child.kill('SIGTERM');
    const stopped = await done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('agentpipe: SIGTERM: stopping, saving state');
    expect(stopped.stderr).toContain(`resume with: agentpipe run --resume ${runId}`);
    const saved = JSON.parse(await readFile(runFile(runId, 'run.json'), 'utf8'));
    expect(saved.status).toBe('interrupted');
    expect(saved.error).toBe('interrupted by SIGTERM; run state saved');
    expect(saved.steps.r1.status).toBe('succeeded');
    expect(saved.steps.r2.status).toBe('pending');
    await resumeToTheEnd(runId, env);
  });

  it('a second signal during shutdown exits 130 at once; run.json still parses and resumes', async () => {
    const { child, done, runId, env } = await startAndWaitFor('r2');
    // Both signals wait while the process is stopped, then arrive together: the second one is
    // handled before any of the shutdown the first one starts can finish.
    child.kill('SIGSTOP');
    child.kill('SIGINT');
    child.kill('SIGTERM');
    child.kill('SIGCONT');
    const stopped = await done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/agentpipe: SIG(INT|TERM): stopping, saving state/);
    // It did not wait for the summary.
    expect(stopped.stderr).not.toContain('resume with:');
    const names = await readdir(runFile(runId, ''));
    expect(names).not.toContain('lock');
    const saved = JSON.parse(await readFile(runFile(runId, 'run.json'), 'utf8'));
    expect(saved.steps.r2.status).toBe('succeeded');
    expect(saved.status).not.toBe('succeeded');
    await resumeToTheEnd(runId, env);
  });
});
