// The run's audit log: one JSON line per tool call, allowed or denied, in call order.

import { appendFile, mkdir } from 'node:fs/promises';
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
  private directoryReady: Promise<unknown> | undefined;

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
    this.directoryReady ??= mkdir(dirname(this.filePath), { recursive: true });
    const directoryReady = this.directoryReady;
    // A failed write rejects its own caller only; later lines still get written.
    const written = this.pending.catch(() => undefined).then(async () => {
      await directoryReady;
      await appendFile(this.filePath, line, 'utf8');
    });
    this.pending = written;
    return written;
  }

  /** Resolves when every appended line is on disk. */
  flush(): Promise<void> {
    return this.pending.catch(() => undefined);
  }
}
