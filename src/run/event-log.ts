// The run's event bus: stamps each event with time and run id, redacts secrets, appends it to
// events.jsonl (as it happens, or in batches for the rows of a batch) and hands it to listeners
// (progress display, --json output). Listeners never throw into the run: a broken display must not
// fail a paid-for step.

import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isSecretEnvName, redactValue } from '../tools/redact.js';
import type { EventSink, RunEvent, RunEventInput } from './events.js';

export type EventListener = (event: RunEvent) => void;

export interface EventLog {
  emit: EventSink;
  subscribe(listener: EventListener): void;
  /** Resolves when every line is written. */
  close(): Promise<void>;
}

export interface EventLogOptions {
  /**
   * Buffer lines and append them at most this many ms apart, and at close(), instead of a write per
   * event: one file write for a short run. A hard kill loses at most the last `flushMs` of events.
   */
  flushMs?: number;
}

export function createEventLog(runId: string, filePath: string | undefined, env: NodeJS.ProcessEnv = process.env, options: EventLogOptions = {}): EventLog {
  const listeners: EventListener[] = [];
  // Only secret-named variables matter to redaction; filtering once keeps per-event cost small.
  const secrets = Object.fromEntries(Object.entries(env).filter(([name]) => isSecretEnvName(name)));
  let stream: { write(line: string): void; end(): Promise<void> } | undefined;
  if (filePath) stream = options.flushMs === undefined ? streamTo(filePath) : bufferedAppender(filePath, options.flushMs);
  const emit: EventSink = (input: RunEventInput) => {
    const event = redactValue({ time: new Date().toISOString(), runId, ...input }, secrets) as RunEvent;
    stream?.write(`${JSON.stringify(event)}\n`);
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // see header
      }
    }
  };
  return {
    emit,
    subscribe: (listener) => void listeners.push(listener),
    close: () => stream?.end() ?? Promise.resolve(),
  };
}

function streamTo(filePath: string): { write(line: string): void; end(): Promise<void> } {
  mkdirSync(dirname(filePath), { recursive: true });
  const stream: WriteStream = createWriteStream(filePath, { flags: 'a' });
  stream.on('error', () => undefined);
  return { write: (line) => void stream.write(line), end: () => new Promise<void>((resolve) => stream.end(() => resolve())) };
}

/** Appends in batches, one append at a time (lines stay whole and in order); a failed write is dropped like a stream's. */
function bufferedAppender(filePath: string, flushMs: number): { write(line: string): void; end(): Promise<void> } {
  let buffer = '';
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (buffer === '') return writing;
    const text = buffer;
    buffer = '';
    writing = writing.then(() =>
      appendFile(filePath, text, 'utf8').catch(async (error: unknown) => {
        // The run folder is made when the run is locked; made here too for a log without one.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return;
        await mkdir(dirname(filePath), { recursive: true });
        await appendFile(filePath, text, 'utf8');
      }).catch(() => undefined),
    );
    return writing;
  };
  return {
    write(line) {
      buffer += line;
      // unref: a pending flush never keeps the process alive; close() writes what is left.
      timer ??= setTimeout(flush, flushMs).unref();
    },
    end: flush,
  };
}
