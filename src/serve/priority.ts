// Linux thread priorities for serve: the HTTP thread answers first. Run worker threads already set
// nice 10 for themselves (run-worker.ts); the libuv thread pool, which does almost all of serve's
// file work on behalf of runs (run files, events.jsonl, run.json), gets the same, so on a busy
// machine a request waits for neither. Elsewhere, or when not allowed, nothing changes.

import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Sets `nice` on every thread of this process whose name is one of `names`; returns how many it set. */
export function niceThreads(names: readonly string[], nice: number): number {
  let count = 0;
  try {
    for (const task of readdirSync('/proc/self/task')) {
      try {
        if (!names.includes(readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim())) continue;
        setPriority(Number(task), nice);
        count++;
      } catch {
        // the thread ended, or renicing is not allowed
      }
    }
  } catch {
    // not Linux
  }
  return count;
}

/** The libuv thread pool (file system work) yields to the HTTP thread. */
export function niceIoThreads(): number {
  return niceThreads(['libuv-worker'], 10);
}
