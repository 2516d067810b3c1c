// The local batch's ledger, `.agentpipe/batches/<batch-id>/ledger.jsonl`: append-only, one line when
// a row's run starts (so a crashed batch resumes that row's run, paying nothing twice) and one when
// it ends (its result). The last line per input line wins; a half-written last line (SIGKILL) is
// ignored. A re-run of the same command reads it to skip finished rows.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoalescingAppender } from '../run/appender.js';
import type { RowResult } from './row.js';

export interface LedgerRow {
  line: number;
  /** Hash of the row's text when it ran: a changed row is run again. */
  hash: string;
  runId: string;
  /** Absent while the row's run has started but not ended. */
  result?: RowResult;
}

export const batchDirectory = (root: string, batchId: string) => join(root, '.agentpipe', 'batches', batchId);

export class BatchLedger {
  private readonly appender: CoalescingAppender;

  private constructor(
    readonly file: string,
    readonly rows: Map<number, LedgerRow>,
  ) {
    this.appender = new CoalescingAppender(file);
  }

  static async open(root: string, batchId: string): Promise<BatchLedger> {
    const file = join(batchDirectory(root, batchId), 'ledger.jsonl');
    const rows = new Map<number, LedgerRow>();
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const entry = JSON.parse(line) as LedgerRow;
        rows.set(entry.line, entry);
      } catch {
        // the line a killed process was writing
      }
    }
    return new BatchLedger(file, rows);
  }

  started(line: number, hash: string, runId: string): Promise<void> {
    return this.append({ line, hash, runId });
  }

  finished(hash: string, result: RowResult): Promise<void> {
    return this.append({ line: result.line, hash, runId: result.runId ?? '', result });
  }

  private append(entry: LedgerRow): Promise<void> {
    this.rows.set(entry.line, entry);
    // One append at a time keeps lines whole and in order; lines of rows that end together share one.
    return this.appender.append(`${JSON.stringify(entry)}\n`);
  }

  flush(): Promise<void> {
    return this.appender.flush();
  }
}
