// Interrupts without a terminal (resume.test.ts covers one SIGINT; progress.test.ts the terminal):
// SIGTERM is handled like Ctrl-C, and a second signal during shutdown exits at once while leaving
// a run.json that parses and resumes, with no lock and no temp file left behind.

import { readFile, readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runFile as fileOfRun, spawnCli, startChainProject, waitForStep, type ChainProject } from './helpers.js';

let project: ChainProject;
beforeAll(async () => {
  project = await startChainProject({ name: 'relay', stepIds: ['r1', 'r2', 'r3', 'r4'] });
});
afterAll(() => project.close());

const runFile = (runId: string, name: string) => fileOfRun(project.root, runId, name);

async function startAndWaitFor(step: string) {
  await project.clearRuns();
  const { root, env } = project;
  const run = spawnCli(['run', project.template], { cwd: root, env });
  const runId = await waitForStep(root, step);
  return { ...run, runId, env };
}

async function resumeToTheEnd(runId: string, env: NodeJS.ProcessEnv) {
  const resumed = await runCli(['run', '--resume', runId], { cwd: project.root, env });
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
