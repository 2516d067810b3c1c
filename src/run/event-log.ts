// The run's event bus: stamps each event with time and run id, redacts secrets, appends it to
// events.jsonl and hands it to listeners (progress display, --json output). Listeners never throw
// into the run: a broken display must not fail a paid-for step.

import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
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

export function createEventLog(runId: string, filePath: string | undefined, env: NodeJS.ProcessEnv = process.env): EventLog {
  const listeners: EventListener[] = [];
  // Only secret-named variables matter to redaction; filtering once keeps per-event cost small.
  const secrets = Object.fromEntries(Object.entries(env).filter(([name]) => isSecretEnvName(name)));
  let stream: WriteStream | undefined;
  if (filePath) {
    mkdirSync(dirname(filePath), { recursive: true });
    stream = createWriteStream(filePath, { flags: 'a' });
    stream.on('error', () => undefined);
  }
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
    close: () => new Promise<void>((resolve) => (stream ? stream.end(() => resolve()) : resolve())),
  };
}
