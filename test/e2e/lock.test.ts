// The run lock: a run that is running cannot be resumed by a second process; a lock whose process
// died is taken over with a warning. The first part drives the CLI; the second part calls
// acquireRunLock directly for the cases a process cannot easily stage (another host, a race).

import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireRunLock, RunLockedError, type LockEnvironment, type LockOwner } from '../../src/run/lock.js';
import { onlyRunId, pause, readJsonLines, readRunState, runCli, runFile, spawnCli, startChainProject, stepOf, waitForStep, type ChainProject } from './helpers.js';

const stepIds = ['s1', 's2', 's3', 's4'];

let project: ChainProject;
let root: string;
beforeAll(async () => {
  project = await startChainProject({ name: 'four', stepIds });
  root = project.root;
});
afterAll(() => project.close());

const lockFile = (runId: string) => runFile(root, runId, 'lock');
const readState = (runId: string) => readRunState(root, runId);
const exists = (path: string) => stat(path).then(() => true, () => false);

/** The run id once its lock exists: the run has really started. */
async function waitForRunId(): Promise<string> {
  for (;;) {
    const runId = await onlyRunId(root).catch(() => '');
    if (runId && (await exists(lockFile(runId)))) return runId;
    await pause(10);
  }
}

describe('run lock (CLI)', () => {
  it('refuses a second process while a run or a resume is running, naming its pid, and exits 2', async () => {
    await project.clearRuns();
    const { env } = project;
    const first = spawnCli(['run', project.template], { cwd: root, env });
    const runId = await waitForRunId();
    const lock = JSON.parse(await readFile(lockFile(runId), 'utf8')) as LockOwner;
    expect(lock.pid).toBe(first.child.pid);
    expect(typeof lock.host).toBe('string');
    expect(Number.isNaN(Date.parse(lock.startedAt))).toBe(false);

    const refused = await runCli(['run', '--resume', runId], { cwd: root, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([`agentpipe: run ${runId} is already running in process ${first.child.pid} (since ${lock.startedAt}); wait for it to finish or stop it, then resume`]);
    expect(refused.stdout).toBe('');

    // Interrupt the first process, resume, and try a third process against the resume.
    await waitForStep(root, 's1');
    first.child.kill('SIGINT');
    expect((await first.done).code).toBe(130);
    expect(await exists(lockFile(runId))).toBe(false);
    const second = spawnCli(['run', '--resume', runId], { cwd: root, env });
    await waitForRunId();
    const third = await runCli(['run', '--resume', runId], { cwd: root, env });
    expect(third.code).toBe(2);
    expect(third.stderr).toContain(`already running in process ${second.child.pid}`);

    const resumed = await second.done;
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('done s4');
    expect(await exists(lockFile(runId))).toBe(false);
    // The refused processes called nothing: each step was paid once.
    expect((await readState(runId)).ledger.entries.map((entry: { stepId: string }) => entry.stepId).sort()).toEqual(stepIds);
  });

  it('takes over the lock of a SIGKILLed process with a warning, and removes it at the end', async () => {
    await project.clearRuns();
    const { env } = project;
    const first = spawnCli(['run', project.template], { cwd: root, env });
    const runId = await waitForRunId();
    await waitForStep(root, 's2');
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const stale = JSON.parse(await readFile(lockFile(runId), 'utf8')) as LockOwner;
    expect(stale.pid).toBe(first.child.pid);

    const before = project.sim.requests.length;
    const resumed = await runCli(['run', '--resume', runId], { cwd: root, env });
    expect(resumed.stderr).not.toMatch(/internal error/);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`warning: took over a stale lock: process ${stale.pid} on ${stale.host}`);
    const events = await readJsonLines(runFile(root, runId, 'events.jsonl'));
    const warning = events.find((event) => event['type'] === 'warning');
    expect(warning?.['message']).toContain(`process ${stale.pid}`);
    expect(await exists(lockFile(runId))).toBe(false);
    expect(project.sim.requests.slice(before).map(stepOf)).not.toContain('s1');
    expect((await readState(runId)).status).toBe('succeeded');
  });
});

describe('acquireRunLock', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'agentpipe-lock-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  const deadPid = 4_000_001;
  const environment = (pid: number, host = 'here'): LockEnvironment => ({ pid, host, isAlive: (owner) => owner.pid !== deadPid });
  const staleOwner = (host = 'here'): LockOwner => ({ pid: deadPid, host, startedAt: '2026-01-01T00:00:00.000Z', token: 'stale' });

  it('refuses a lock held on another host, since its process cannot be checked, naming the file', async () => {
    const file = join(folder, 'other-host');
    await writeFile(file, JSON.stringify(staleOwner('elsewhere')));
    const error = await acquireRunLock(file, 'r1', environment(10)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RunLockedError);
    expect((error as RunLockedError).exitCode).toBe(2);
    expect((error as Error).message).toBe(`run r1 is locked by pid ${deadPid} on host elsewhere since 2026-01-01T00:00:00.000Z; agentpipe cannot check another machine: if that run is gone, delete ${file}`);
  });

  it('waits out a lock that is still being written, and takes over one left empty long ago', async () => {
    const file = join(folder, 'empty');
    await writeFile(file, '');
    await expect(acquireRunLock(file, 'r2', environment(10))).rejects.toThrow(/being started by another process/);
    const old = new Date(Date.now() - 60_000);
    await utimes(file, old, old);
    const lock = await acquireRunLock(file, 'r2', environment(10));
    expect(lock.takeover).toMatch(/left empty/);
    expect(JSON.parse(await readFile(file, 'utf8')).pid).toBe(10);
    await lock.release();
    expect(await exists(file)).toBe(false);
  });

  it('lets exactly one of many concurrent processes take over one stale lock', async () => {
    const file = join(folder, 'race');
    await writeFile(file, JSON.stringify(staleOwner()));
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, index) => acquireRunLock(file, 'r3', environment(100 + index))));
    const winners = results.filter((result) => result.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    const winner = (winners[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireRunLock>>>).value;
    expect(winner.takeover).toContain(`process ${deadPid}`);
    for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(RunLockedError);
    expect(JSON.parse(await readFile(file, 'utf8')).token).toBe(winner.owner.token);
    expect(await exists(`${file}.takeover`)).toBe(false);
    await winner.release();
  });

  it('links this process’s owner file in as the lock, and writes it again if its folder was deleted', async () => {
    const runs = join(folder, 'project', '.agentpipe', 'runs');
    const first = await acquireRunLock(join(runs, 'a', 'lock'), 'a');
    const owners = join(folder, 'project', '.agentpipe', 'lock-owners');
    const [ownerName] = await readdir(owners);
    expect(ownerName).toBe(`${process.pid}-${first.owner.token}`);
    expect((await stat(join(runs, 'a', 'lock'))).ino).toBe((await stat(join(owners, ownerName!))).ino);
    expect(JSON.parse(await readFile(join(runs, 'a', 'lock'), 'utf8'))).toMatchObject({ pid: process.pid, token: first.owner.token });
    await expect(acquireRunLock(join(runs, 'a', 'lock'), 'a')).rejects.toThrow(`already running in process ${process.pid}`);
    await first.release();
    expect(await exists(join(runs, 'a', 'lock'))).toBe(false);

    await rm(join(folder, 'project'), { recursive: true, force: true });
    const second = await acquireRunLock(join(runs, 'b', 'lock'), 'b');
    expect(JSON.parse(await readFile(join(runs, 'b', 'lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    await second.release();
    expect(await exists(join(runs, 'b', 'lock'))).toBe(false);
  });

  it('never removes a lock that another process holds now', async () => {
    const file = join(folder, 'replaced');
    const lock = await acquireRunLock(file, 'r4', environment(10));
    const other: LockOwner = { pid: 11, host: 'here', startedAt: new Date().toISOString(), token: 'someone-else' };
    await writeFile(file, JSON.stringify(other));
    await lock.release();
    expect(JSON.parse(await readFile(file, 'utf8')).token).toBe('someone-else');
  });
});
