// Glob patterns from a model (the glob tool's pattern, grep's glob) become regular expressions inside
// tinyglobby/picomatch, and `*a*a*a*a*b` against a 200-character file name backtracks for minutes.
// So the listing runs in a worker thread, terminated when the tool's signal aborts, like grep's
// regex (./index.ts). The main thread only ever sees the finished list.

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { globSync } = require(workerData.library);
try {
  parentPort.postMessage({ paths: globSync(workerData.pattern, workerData.options) });
} catch (error) {
  parentPort.postMessage({ error: String(error && error.message || error) });
}
`;

/** The options tinyglobby takes that are plain data (they are copied to the worker). */
export interface GlobOptions {
  cwd: string;
  dot?: boolean;
  onlyFiles?: boolean;
  followSymbolicLinks?: boolean;
  expandDirectories?: boolean;
  ignore?: string[];
}

let library: string | undefined;

export class GlobFailedError extends Error {}

/** tinyglobby's globSync(pattern, options) in a worker; rejects with signal.reason's message as soon as `signal` aborts. */
export function globInWorker(pattern: string, options: GlobOptions, signal: AbortSignal): Promise<string[]> {
  signal.throwIfAborted();
  library ??= createRequire(import.meta.url).resolve('tinyglobby');
  const worker = new Worker(workerSource, { eval: true, workerData: { library, pattern, options }, resourceLimits: { maxOldGenerationSizeMb: 256 } });
  return new Promise<string[]>((resolve, reject) => {
    const stop = (): void => {
      reject(new GlobFailedError('the glob was stopped'));
      void worker.terminate();
    };
    signal.addEventListener('abort', stop, { once: true });
    const settle = (): void => {
      signal.removeEventListener('abort', stop);
      void worker.terminate();
    };
    worker.on('message', (message: { paths?: string[]; error?: string }) => {
      settle();
      if (message.paths) resolve(message.paths);
      else reject(new GlobFailedError(message.error ?? 'the glob failed'));
    });
    worker.on('error', (error: Error) => {
      settle();
      reject(new GlobFailedError(error.message));
    });
    worker.on('exit', () => {
      settle();
      reject(new GlobFailedError('the glob worker stopped'));
    });
  });
}
