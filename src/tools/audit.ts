// The run's audit log: one JSON line per tool call, allowed or denied, in call order.

import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { redactSecrets, redactValue } from './redact.js';

export type AuditDecision = 'allowed' | 'denied';

export interface AuditRecord {
  /** ISO time the call started. */
  time: string;
  agent: string;
  step: string;
  tool: string;
  toolCallId: string;
  /** The model's arguments, secrets redacted. */
  arguments: unknown;
  decision: AuditDecision;
  /** The rule and why for a denial; the failure for an allowed call that errored; absent on success. */
  reason?: string;
  isError: boolean;
  durationMs: number;
  /** UTF-8 bytes of the output returned to the model. */
  outputBytes: number;
}

export class AuditLog {
  private pending: Promise<void> = Promise.resolve();
  /** Kept open between lines (an open and close per tool call cost more than the call itself). */
  private handle: Promise<FileHandle> | undefined;

  /**
   * @param filePath usually `.agentpipe/runs/<run-id>/audit.jsonl`; the folder is created on first write.
   * @param env whose secret values are redacted; defaults to process.env.
   */
  constructor(readonly filePath: string, private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** Redacts, then appends. Writes are serialised so lines never interleave and keep call order. */
  append(record: AuditRecord): Promise<void> {
    const safe: AuditRecord = {
      ...record,
      arguments: redactValue(record.arguments, this.env),
      ...(record.reason === undefined ? {} : { reason: redactSecrets(record.reason, this.env) }),
    };
    const line = `${JSON.stringify(safe)}\n`;
    // A failed write rejects its own caller only; later lines still get written.
    const written = this.pending.catch(() => undefined).then(async () => {
      this.handle ??= mkdir(dirname(this.filePath), { recursive: true }).then(() => open(this.filePath, 'a'));
      const handle = this.handle;
      // A failed open is not kept: the next line tries again.
      handle.catch(() => {
        if (this.handle === handle) this.handle = undefined;
      });
      await (await handle).write(line, null, 'utf8');
    });
    this.pending = written;
    return written;
  }

  /** Resolves when every appended line is written, and closes the file (a later line reopens it). */
  flush(): Promise<void> {
    const flushed = this.pending.catch(() => undefined).then(async () => {
      const handle = this.handle;
      this.handle = undefined;
      if (handle) await (await handle.catch(() => undefined))?.close();
    });
    this.pending = flushed;
    return flushed;
  }
}
