// The run lock: `.agentpipe/runs/<id>/lock`, created exclusively while a process runs or resumes the
// run, so two processes never write the same run.json, ledger or step outputs. It holds the owner's
// pid, host and start time: it is a hard link to the process's owner file (`.agentpipe/lock-owners/`), made
// once per process, or where links fail a file created with O_EXCL. A lock whose owner died on this host (SIGKILL, power cut) is stale and is
// taken over; a live one, or one from another host (which cannot be checked), refuses the run.

import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, open, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';

export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** The kernel's start time of the process (Linux, /proc/<pid>/stat), so a reused pid is not taken for the owner. */
  processStart?: string;
  /** Random, so that a lock is only ever removed by the process that wrote it. */
  token: string;
}

export interface RunLock {
  readonly file: string;
  readonly owner: LockOwner;
  /** Says whose stale lock was taken over, if one was (the run reports it as a warning event). */
  readonly takeover?: string;
  /** Removes the lock if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

/** Another live process holds the run: exit 2, like any other usage problem. */
export class RunLockedError extends UsageError {
  constructor(message: string, readonly holder?: LockOwner) {
    super(message);
  }
}

/** How a lock is judged; tests replace the host and the liveness probe. */
export interface LockEnvironment {
  host: string;
  pid: number;
  isAlive(owner: LockOwner): boolean;
}

let thisHost: string | undefined;
const host = () => (thisHost ??= hostname());
const systemEnvironment = (): LockEnvironment => ({ host: host(), pid: process.pid, isAlive: isProcessAlive });

// A lock file with no owner in it is one being written right now, or one whose writer died between
// open and write. After this long it can only be the second.
const unwrittenGraceMs = 10_000;
const attempts = 20;

export async function acquireRunLock(file: string, runId: string, environment: LockEnvironment = systemEnvironment()): Promise<RunLock> {
  await mkdir(dirname(file), { recursive: true });
  // This process's owner file, linked in as the lock: one link() instead of create, write and close.
  const linked = environment.pid === process.pid && environment.host === host() ? await processOwner(dirname(dirname(file))) : undefined;
  const owner: LockOwner = linked?.owner ?? {
    pid: environment.pid,
    host: environment.host,
    startedAt: new Date().toISOString(),
    ...(environment.pid === process.pid ? optionalStart(processStartTime(process.pid)) : {}),
    token: randomBytes(8).toString('hex'),
  };
  const text = `${JSON.stringify(owner)}\n`;
  let takeover: string | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const created = linked ? await linkExclusive(linked, file) : await createExclusive(file, text);
    if (created) return holdLock(file, owner, takeover, linked?.inode);
    const current = await readLock(file);
    if (current.kind === 'missing') continue;
    if (current.kind === 'unwritten') {
      if (current.ageMs < unwrittenGraceMs) throw new RunLockedError(`run ${runId} is being started by another process (${file} was just created); try again in a moment`);
    } else if (current.owner.host !== environment.host) {
      const { pid, host, startedAt } = current.owner;
      throw new RunLockedError(`run ${runId} is locked by pid ${pid} on host ${host} since ${startedAt}; agentpipe cannot check another machine: if that run is gone, delete ${file}`, current.owner);
    } else if (environment.isAlive(current.owner)) {
      const { pid, startedAt } = current.owner;
      throw new RunLockedError(`run ${runId} is already running in process ${pid} (since ${startedAt}); wait for it to finish or stop it, then resume`, current.owner);
    }
    if (await removeIfUnchanged(file, current.text)) takeover = describeStale(file, current);
    else await delay(20);
  }
  throw new RunLockedError(`run ${runId}: could not take ${file} (other processes keep taking it); try again`);
}

/**
 * Whether a live process holds the lock now: `agentpipe runs` uses it to tell a running run from
 * one whose process died without saving (SIGKILL, a crash). A lock from another host cannot be
 * checked and counts as held.
 */
export async function isLockHeld(file: string, environment: LockEnvironment = systemEnvironment()): Promise<boolean> {
  const current = await readLock(file).catch(() => ({ kind: 'missing' }) as const);
  if (current.kind === 'missing') return false;
  if (current.kind === 'unwritten') return current.ageMs < unwrittenGraceMs;
  return current.owner.host !== environment.host || environment.isAlive(current.owner);
}

function describeStale(file: string, stale: Exclude<LockRead, { kind: 'missing' }>): string {
  if (stale.kind === 'unwritten') return `took over ${file}: it was left empty by a process that died while starting this run`;
  const { pid, host, startedAt } = stale.owner;
  return `took over a stale lock: process ${pid} on ${host} (since ${startedAt}) is no longer running; its finished steps are kept`;
}

type LockRead = { kind: 'missing' } | { kind: 'unwritten'; text: string; ageMs: number } | { kind: 'owned'; text: string; owner: LockOwner };

async function readLock(file: string): Promise<LockRead> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    const owner = parseOwner(text);
    return owner ? { kind: 'owned', text, owner } : { kind: 'unwritten', text, ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if (isCode(error, 'ENOENT')) return { kind: 'missing' };
    throw error;
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.startedAt === 'string' && typeof value.token === 'string') return value as LockOwner;
  } catch {
    // half-written: judged by its age
  }
  return undefined;
}

/**
 * The file a process links in as each run lock it takes (per runs folder, so the link stays on one
 * file system): `.agentpipe/lock-owners/<pid>-<token>`, holding the same JSON a lock holds.
 * A lock is then whole the moment it exists. Removed when the process exits; one left by a killed
 * process is removed by the next process that makes its own (its locks are stale all the same).
 */
interface ProcessOwner {
  path: string;
  owner: LockOwner;
  inode: number;
  /** link() failed here (a file system without hard links): locks are written as files instead. */
  unsupported?: boolean;
}

const owners = new Map<string, Promise<ProcessOwner | undefined>>();
const ownerFiles = new Set<string>();

function processOwner(runsFolder: string): Promise<ProcessOwner | undefined> {
  let found = owners.get(runsFolder);
  if (!found) {
    found = makeProcessOwner(runsFolder).catch(() => undefined);
    owners.set(runsFolder, found);
  }
  return found;
}

async function makeProcessOwner(runsFolder: string): Promise<ProcessOwner> {
  // Beside the runs folder, not in it: whatever lists run folders sees run folders only.
  const folder = join(dirname(runsFolder), 'lock-owners');
  await mkdir(folder, { recursive: true });
  const owner: LockOwner = { pid: process.pid, host: host(), startedAt: new Date().toISOString(), ...optionalStart(processStartTime(process.pid)), token: randomBytes(8).toString('hex') };
  const path = join(folder, `${owner.pid}-${owner.token}`);
  await writeFile(path, `${JSON.stringify(owner)}\n`, { encoding: 'utf8', flag: 'wx' });
  ownerFiles.add(path);
  installExitHook();
  void removeDeadOwners(folder, path);
  return { path, owner, inode: (await stat(path)).ino };
}

/** Owner files of processes that are gone (a SIGKILL skips the exit hook). */
async function removeDeadOwners(folder: string, mine: string): Promise<void> {
  for (const name of await readdir(folder).catch(() => [] as string[])) {
    const path = join(folder, name);
    if (path === mine) continue;
    const owner = parseOwner(await readFile(path, 'utf8').catch(() => ''));
    if (owner && owner.host === host() && !isProcessAlive(owner)) await unlink(path).catch(() => undefined);
  }
}

async function linkExclusive(owner: ProcessOwner, file: string): Promise<boolean> {
  if (!owner.unsupported) {
    try {
      await link(owner.path, file);
      return true;
    } catch (error) {
      if (isCode(error, 'EEXIST')) return false;
      // Our owner file was deleted (the .agentpipe folder removed while this process lives): write it again.
      if (isCode(error, 'ENOENT') && !(await stat(owner.path).then(() => true, () => false))) {
        await mkdir(dirname(owner.path), { recursive: true });
        await writeFile(owner.path, `${JSON.stringify(owner.owner)}\n`, 'utf8');
        owner.inode = (await stat(owner.path)).ino;
        await link(owner.path, file).catch((again: unknown) => (isCode(again, 'EEXIST') ? undefined : Promise.reject(again)));
        return (await stat(file)).ino === owner.inode;
      }
      if (!['EPERM', 'EXDEV', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK'].some((code) => isCode(error, code))) throw error;
      owner.unsupported = true;
    }
  }
  return createExclusive(file, `${JSON.stringify(owner.owner)}\n`);
}

async function createExclusive(file: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    if (isCode(error, 'EEXIST')) return false;
    throw error;
  }
  try {
    await handle.writeFile(text, 'utf8');
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(file).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return true;
}

/**
 * Removes a stale lock only if it still holds exactly what was judged stale. Two processes taking
 * over the same stale lock would otherwise race: the slower one could delete the lock the faster
 * one had just created. A short-lived `<lock>.takeover` file (O_EXCL again) lets one at a time
 * compare and delete; the loser goes round and finds the winner's live lock.
 */
async function removeIfUnchanged(file: string, staleText: string): Promise<boolean> {
  const guard = `${file}.takeover`;
  if (!(await createExclusive(guard, `${process.pid}\n`))) {
    // A guard is held for a few milliseconds; an old one belongs to a process killed mid-takeover.
    const age = await stat(guard).then((info) => Date.now() - info.mtimeMs, () => 0);
    if (age > unwrittenGraceMs) await unlink(guard).catch(() => undefined);
    return false;
  }
  try {
    const now = await readFile(file, 'utf8').catch(() => undefined);
    if (now !== staleText) return false;
    await unlink(file);
    return true;
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

// Locks this process holds, removed on exit too: a second Ctrl-C calls process.exit, and a lock left
// behind would only be taken over later with a warning.
const held = new Map<string, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [path, token] of held) removeOwnSync(path, token);
    for (const path of ownerFiles) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
  });
}

/** `inode`: the lock is a link to this process's owner file; it is ours while it is that file. */
function holdLock(file: string, owner: LockOwner, takeover: string | undefined, inode?: number): RunLock {
  held.set(file, owner.token);
  installExitHook();
  return {
    file,
    owner,
    ...(takeover ? { takeover } : {}),
    async release() {
      if (held.get(file) !== owner.token) return;
      held.delete(file);
      // A lock file is only ever replaced by a new file (takeover unlinks, then creates or links).
      const ours = inode !== undefined ? (await stat(file).catch(() => undefined))?.ino === inode : parseOwner(await readFile(file, 'utf8').catch(() => ''))?.token === owner.token;
      if (ours) await unlink(file).catch(() => undefined);
    },
  };
}

function removeOwnSync(file: string, token: string): void {
  try {
    if (parseOwner(readFileSync(file, 'utf8'))?.token === token) unlinkSync(file);
  } catch {
    // already gone
  }
}

/** Alive means signal 0 reaches it (EPERM: it exists, as another user) and, where /proc tells, it is the same process. */
export function isProcessAlive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if (!isCode(error, 'EPERM')) return false;
  }
  if (owner.processStart === undefined) return true;
  const start = processStartTime(owner.pid);
  return start === undefined || start === owner.processStart;
}

/** Field 22 of /proc/<pid>/stat (clock ticks since boot); undefined off Linux. */
function processStartTime(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const optionalStart = (start: string | undefined) => (start === undefined ? {} : { processStart: start });

const isCode = (error: unknown, code: string) => error instanceof Error && (error as NodeJS.ErrnoException).code === code;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
