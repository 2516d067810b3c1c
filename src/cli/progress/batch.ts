// Progress of a batch on stderr: in a terminal, one listr2 line with done/failed counts, rows
// running, an ETA and spend against the estimate; otherwise one plain line per finished row.
// Like the run display it renders on stderr and installs no signal handler of its own.

import type { RowResult } from '../../batch/row.js';
import { formatCost } from './format.js';
import { guardOutput } from './streams.js';

export interface BatchProgress {
  rowStarted(): void;
  rowEnded(result: RowResult): void;
  spent(costUsd: number): void;
  stop(): Promise<void>;
}

export interface BatchCounts {
  /** Rows this invocation will run. */
  toRun: number;
  estimateUsd: number;
  /** Spend of rows done by earlier runs of the batch. */
  spentBefore: number;
}

function etaText(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '—';
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

class Tally {
  done = 0;
  failed = 0;
  running = 0;
  spentUsd: number;
  private readonly started = performance.now();
  constructor(readonly counts: BatchCounts) {
    this.spentUsd = counts.spentBefore;
  }
  describe(): string {
    const finished = this.done + this.failed;
    const elapsed = performance.now() - this.started;
    const eta = finished === 0 ? Number.NaN : (elapsed / finished) * (this.counts.toRun - finished);
    return `${finished}/${this.counts.toRun} rows · ${this.failed} failed · ${this.running} running · ETA ${etaText(eta)} · ${formatCost(this.spentUsd)} of ~${formatCost(this.counts.estimateUsd)} est.`;
  }
  end(result: RowResult): void {
    this.running = Math.max(0, this.running - 1);
    if (result.status === 'succeeded') this.done++;
    else if (result.status === 'failed' || result.status === 'budget-exceeded') this.failed++;
  }
}

export async function createBatchProgress(mode: 'tty' | 'plain' | 'json', counts: BatchCounts): Promise<BatchProgress> {
  const tally = new Tally(counts);
  const output = guardOutput();
  if (mode !== 'tty') {
    return {
      rowStarted: () => void tally.running++,
      rowEnded(result) {
        tally.end(result);
        if (mode === 'plain') output.err(`line ${result.line}: ${result.status}${result.error ? ` (${result.error})` : ''} · ${tally.describe()}\n`);
      },
      spent: (costUsd) => void (tally.spentUsd += costUsd),
      stop: async () => undefined,
    };
  }
  const { DefaultRenderer, Listr, ListrLogger, ProcessOutput } = await import('listr2');
  class StderrRenderer extends DefaultRenderer {
    static override nonTTY = true;
  }
  let setTitle: (title: string) => void = () => undefined;
  let finish: () => void = () => undefined;
  const list = new Listr(
    [
      {
        title: tally.describe(),
        task: (_context: unknown, task: { title: string }) =>
          new Promise<void>((resolve) => {
            setTitle = (title) => void (task.title = title);
            finish = resolve;
          }),
      },
    ],
    { registerSignalListeners: false, renderer: StderrRenderer, rendererOptions: { collapseErrors: false, logger: new ListrLogger({ useIcons: true, processOutput: new ProcessOutput(process.stderr, process.stdout) }) } },
  );
  const done = list.run().catch(() => undefined);
  const timer = setInterval(() => setTitle(tally.describe()), 250);
  return {
    rowStarted: () => void tally.running++,
    rowEnded: (result) => tally.end(result),
    spent: (costUsd) => void (tally.spentUsd += costUsd),
    async stop() {
      clearInterval(timer);
      setTitle(tally.describe());
      finish();
      await done;
    },
  };
}
