// Where a run's state lives, separate from what it is (state.ts): the RunStore interface and its
// file driver, `.agentpipe/runs/<id>/` as it always was. `agentpipe worker` uses the Redis driver
// (src/queue/redis-store.ts) so another worker can resume a run from the steps already finished.
// The file driver writes events.jsonl and audit.jsonl to the run folder; a Redis-backed run sends its
// events to the Redis stream only, and writes audit.jsonl locally only once a tool is called.

import { UsageError } from '../errors.js';
import { acquireRunLock } from './lock.js';
import type { EventListener } from './event-log.js';
import { StateWriter, loadRunState, readOutput, removeStaleTempFiles, runFiles, type RunFiles, type RunState } from './state.js';

/** Saves one run's state; saves coalesce, and a reader always sees a whole state. */
export interface RunStateWriter {
  save(state: RunState): Promise<void>;
  saveOutput(stepId: string, output: unknown, itemIndex?: number): Promise<void>;
  /** Resolves when every save requested so far is written. */
  flush(): Promise<void>;
}

/** Who may write a run: the file lock, or nothing where a queue decides who owns the run. */
export interface RunOwnership {
  /** A warning to show when an earlier owner was found dead and replaced. */
  takeover?: string;
  release(): Promise<void>;
}

export interface RunStore {
  readonly kind: 'file' | 'redis';
  /** The local run folder (events.jsonl, audit.jsonl of this process's attempts). */
  files(runId: string): RunFiles;
  own(runId: string): Promise<RunOwnership>;
  /** The saved state, or undefined when the store has none. */
  load(runId: string): Promise<RunState | undefined>;
  /** Called once owned, before a resume: clears what a dead writer left half done. */
  beforeResume(runId: string): Promise<void>;
  /** `prepare` brings derived fields (ledger, total cost) up to date just before each save. */
  writer(runId: string, env: NodeJS.ProcessEnv, prepare: (state: RunState) => void): RunStateWriter;
  readOutput(runId: string, stepId: string, itemIndex?: number): Promise<unknown>;
  /** Another place every event of the run goes (a Redis stream), if any. */
  eventListener?(runId: string): EventListener | undefined;
  /**
   * When set, events.jsonl is written in batches at most this many ms apart (and when the run ends)
   * instead of a write per event: a hard kill loses at most that much of the log, never the state.
   */
  readonly eventFlushMs?: number;
}

export interface FileStoreOptions {
  /** Small step outputs kept in run.json rather than files of their own (StateWriterOptions). */
  inlineOutputBytes?: number;
  eventFlushMs?: number;
}

/**
 * The file driver. `agentpipe batch` opens it with both options set: a row then writes run.json,
 * events.jsonl and audit.jsonl and nothing else (its lock is a hard link), where a run that
 * someone may be following writes each event as it happens.
 */
export function fileRunStore(root: string, options: FileStoreOptions = {}): RunStore {
  return {
    kind: 'file',
    ...(options.eventFlushMs !== undefined ? { eventFlushMs: options.eventFlushMs } : {}),
    files: (runId) => runFiles(root, runId),
    own: (runId) => acquireRunLock(runFiles(root, runId).lock, runId),
    // A run with no run.json yet is one the store does not have.
    load: (runId) => loadRunState(root, runId).catch((error: unknown) => (error instanceof UsageError ? undefined : Promise.reject(error))),
    beforeResume: (runId) => removeStaleTempFiles(runFiles(root, runId)),
    writer: (runId, env, prepare) => new StateWriter(runFiles(root, runId), env, prepare, { inlineOutputBytes: options.inlineOutputBytes ?? 0 }),
    readOutput: (runId, stepId, itemIndex) => readOutput(runFiles(root, runId), stepId, itemIndex),
  };
}

export type { RunFiles };
