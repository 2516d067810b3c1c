// stdout and stderr for commands whose output may go to a pipe that closes early
// (`agentpipe run ... | head -2`, `agentpipe runs | head`). Node ignores SIGPIPE, so a write to a
// closed pipe fails with EPIPE, reported as an 'error' event that would crash the process with a
// stack trace. Here a failed stream is marked closed and later writes to it are dropped; the run
// command treats a closed stdout like Ctrl-C (state saved, resumable), as `git log | head` stops.

import { fstatSync } from 'node:fs';

export interface OutputStreams {
  /** Writes to stdout unless it is closed. */
  out(text: string): void;
  /** Writes to stderr unless it is closed. */
  err(text: string): void;
  readonly stdoutClosed: boolean;
  readonly stderrClosed: boolean;
  /** Called once, when stdout is found closed (at once if it already is). */
  onStdoutClosed(listener: () => void): void;
}

let streams: OutputStreams | undefined;

/** The process's guarded streams; the first call installs the error handlers (kept for the process's life). */
export function guardOutput(): OutputStreams {
  if (streams) return streams;
  let stdoutClosed = false;
  let stderrClosed = false;
  const listeners: Array<() => void> = [];
  const closeStdout = () => {
    if (stdoutClosed) return;
    stdoutClosed = true;
    for (const listener of listeners.splice(0)) listener();
  };
  // Any write error means the output can no longer be delivered: EPIPE, a hung-up terminal (EIO).
  process.stdout.on('error', closeStdout);
  process.stderr.on('error', () => {
    stderrClosed = true;
    // `2>&1 | head`: stdout is the same pipe. It may get nothing to write until the run ends, so
    // this is the only early sign that nobody reads it any more.
    if (sameFile(1, 2)) closeStdout();
  });
  streams = {
    out(text) {
      if (!stdoutClosed && !process.stdout.destroyed) process.stdout.write(text);
    },
    err(text) {
      if (!stderrClosed && !process.stderr.destroyed) process.stderr.write(text);
    },
    get stdoutClosed() {
      return stdoutClosed;
    },
    get stderrClosed() {
      return stderrClosed;
    },
    onStdoutClosed(listener) {
      if (stdoutClosed) listener();
      else listeners.push(listener);
    },
  };
  return streams;
}

function sameFile(first: number, second: number): boolean {
  try {
    const [a, b] = [fstatSync(first), fstatSync(second)];
    return a.dev === b.dev && a.ino === b.ino;
  } catch {
    return false;
  }
}
