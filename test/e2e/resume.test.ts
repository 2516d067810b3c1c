import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runFile, spawnCli, startChainProject, stepOf, waitForStep, type ChainProject } from './helpers.js';

const stepIds = ['s1', 's2', 's3', 's4', 's5', 's6'];

let project: ChainProject;
beforeAll(async () => {
  // Slow enough that the process is surely mid-step when it is killed.
  project = await startChainProject({ name: 'six', stepIds });
});
afterAll(() => project.close());

describe('resume', () => {
  it('after SIGKILL, continues without calling finished steps again and pays each step once', async () => {
    const { sim, root, env } = project;
    const { child, done } = spawnCli(['run', project.template], { cwd: root, env });
    const runId = await waitForStep(root, 's3');
    const stateFile = runFile(root, runId, 'run.json');
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    const killed = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(killed.status).toBe('running');
    expect(killed.steps.s4?.status ?? 'pending').not.toBe('succeeded');
    // run.json still says running, but no live process holds the run: `runs` says it stopped.
    const listed = await runCli(['runs'], { cwd: root, env });
    expect(listed.stdout).toMatch(new RegExp(`^${runId}\\s+stopped\\s`, 'm'));
    const listedJson = JSON.parse((await runCli(['runs', '--json'], { cwd: root, env })).stdout);
    expect(listedJson[0]).toMatchObject({ runId, status: 'running', processGone: true });

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
    await project.clearRuns();
    const { root, env } = project;
    const { child, done } = spawnCli(['run', project.template], { cwd: root, env });
    const runId = await waitForStep(root, 's2');
    const stateFile = runFile(root, runId, 'run.json');
    child.kill('SIGINT');
    const interrupted = await done;
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr.endsWith(`resume with: agentpipe run --resume ${runId}\n`)).toBe(true);
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
