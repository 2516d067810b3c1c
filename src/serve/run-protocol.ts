// The messages between serve's HTTP thread and its run worker threads (run-worker.ts). Plain data
// only: they are structured-cloned across threads.

import type { RunJob, RunOutcome } from './run-exec.js';

/** What a run worker is started with (workerData). */
export interface RunWorkerData {
  root: string;
  env: NodeJS.ProcessEnv;
  /** `serve --sim`: every model call answered by the built-in simulator, at $0. */
  simulated?: boolean;
}

export type ToWorker = { type: 'run'; job: RunJob } | { type: 'abort'; id: string; kind: 'cancel' | 'shutdown' };

export type FromWorker =
  /** The project is loaded, its targets compiled and the run modules imported. */
  | { type: 'ready' }
  /** Events of a run, in order, as events.jsonl lines (one message per tick, not per event). */
  | { type: 'lines'; id: string; lines: string[] }
  | { type: 'done'; id: string; outcome: RunOutcome };
