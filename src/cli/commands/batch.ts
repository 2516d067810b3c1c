// `agentpipe batch <target> --inputs rows.jsonl|rows.csv`: one target over every row, locally with
// bounded concurrency, or through a BullMQ queue (`--queue redis://...`) run by `agentpipe worker`s.
// Prices the batch first (and asks in a terminal unless --yes), resumes a re-run of the same command,
// writes one result line per row in input order. Exit: 0 every row succeeded, 1 a row failed or was
// invalid, 2 usage/config (or --strict with invalid rows; nothing spent), 3 --max-cost reached,
// 130 interrupted (re-run to resume). Before a local batch spends anything it checks that every model
// chain has a key or a live local server (exit 1 and what it looked for otherwise); `--sim` needs neither.

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';

export interface BatchFlags {
  inputs?: string;
  concurrency?: string | number;
  maxCost?: string | number;
  out?: string;
  yes?: boolean;
  retryFailed?: boolean;
  strict?: boolean;
  json?: boolean;
  model?: string;
  queue?: string;
  sim?: boolean;
}

export async function batchCommand(file: string, flags: BatchFlags): Promise<number> {
  const { runBatch } = await import('../batch-action.js');
  return runBatch(file, flags);
}

export const batchCommandModule: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('batch <file>', 'Run an agent or template over every row of a JSONL or CSV file')
      .option('--inputs <file>', 'Input rows: .jsonl (one JSON object per line) or .csv with a header')
      .option('--concurrency <n>', 'Rows at a time (local batch; default 4)')
      .option('--max-cost <usd>', 'Stop the batch once it has spent this much')
      .option('--out <file>', 'Results, one JSON line per row in input order (resumed if it exists)')
      .option('--yes', 'Do not ask for confirmation in a terminal')
      .option('--retry-failed', 'Run rows that failed in an earlier run of the batch again')
      .option('--strict', 'Refuse the whole batch (exit 2, nothing spent) if any row is invalid')
      .option('--model <model>', 'A route or provider/model for every step')
      .option('--queue <redis-url>', 'Enqueue the rows on a BullMQ queue for `agentpipe worker`s and follow them')
      .option('--sim', 'Try it without a key: the built-in simulator answers every call, at $0 (local batch only)')
      .option('--json', 'Print the summary as JSON on stdout')
      .action(async (file: string, flags: BatchFlags) => {
        const code = await batchCommand(file, flags);
        setTimeout(() => process.exit(code), 1500).unref();
        return code;
      });
  },
};
