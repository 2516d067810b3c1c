// User-supplied regular expressions (grep's pattern, and any other) run in a worker thread, never on
// the main thread: V8's backtracking engine can take minutes on a pattern such as `^(a+)+$`, and on
// the main thread that would block the tool timeout, limits.timeout, SIGINT and SIGTERM alike. A
// worker is terminated the moment its signal aborts, so a pathological pattern costs at most the
// tool's timeout. The engine stays JavaScript's, so grep patterns keep their documented syntax.

import { Worker } from 'node:worker_threads';

// Plain CommonJS, run with `eval: true`: no file to locate, the same from src/ (tests) and dist/.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const regexp = new RegExp(workerData.pattern, workerData.flags);
parentPort.on('message', ({ id, text, limit, maxLineLength }) => {
  const matches = [];
  const lines = text.split('\\n');
  for (let index = 0; index < lines.length && matches.length < limit; index++) {
    const line = lines[index];
    regexp.lastIndex = 0;
    if (!regexp.test(line)) continue;
    matches.push([index + 1, line.length > maxLineLength ? line.slice(0, maxLineLength) + '\\u2026' : line]);
  }
  parentPort.postMessage({ id, matches });
});
`;

/** A matching line: 1-based number and its text (cut at maxLineLength, with an ellipsis). */
export type LineMatch = [line: number, text: string];

export class RegexAbortedError extends Error {}

/** One compiled pattern in its own worker thread; every method rejects once it is terminated. */
export class RegexWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (matches: LineMatch[]) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;

  /** `pattern` must already compile (check with compileRegExp first: a syntax error is the caller's to report). */
  constructor(pattern: string, flags: string) {
    this.worker = new Worker(workerSource, { eval: true, workerData: { pattern, flags }, resourceLimits: { maxOldGenerationSizeMb: 256 } });
    this.worker.on('message', ({ id, matches }: { id: number; matches: LineMatch[] }) => {
      this.pending.get(id)?.resolve(matches);
      this.pending.delete(id);
    });
    this.worker.on('error', (error: Error) => this.fail(error));
    this.worker.on('exit', () => this.fail(new RegexAbortedError('the regular expression worker stopped')));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const { reject } of this.pending.values()) reject(this.failure);
    this.pending.clear();
  }

  /** Lines of `text` (split on \n) that match, at most `limit`. */
  matchLines(text: string, limit: number, maxLineLength: number): Promise<LineMatch[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, text, limit, maxLineLength });
    });
  }

  async terminate(): Promise<void> {
    this.fail(new RegexAbortedError('the regular expression was stopped'));
    await this.worker.terminate();
  }
}

/** The pattern compiled on this thread (syntax only, nothing is matched), or the engine's error message. */
export function compileRegExp(pattern: string, flags: string): RegExp | string {
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    return (error as Error).message;
  }
}

/** Runs `work` with a worker for `pattern`, terminated as soon as `signal` aborts and when `work` ends. */
export async function withRegexWorker<T>(pattern: string, flags: string, signal: AbortSignal, work: (worker: RegexWorker) => Promise<T>): Promise<T> {
  signal.throwIfAborted();
  const worker = new RegexWorker(pattern, flags);
  const stop = (): void => void worker.terminate();
  signal.addEventListener('abort', stop, { once: true });
  try {
    return await work(worker);
  } finally {
    signal.removeEventListener('abort', stop);
    await worker.terminate();
  }
}
