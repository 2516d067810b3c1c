// `agentpipe runs [id] [--json]`: past runs with status and cost, or one run's cost ledger grouped
// by step, agent, provider and model. Reads .agentpipe/runs/ only; never calls a model.
// A run saved as `running` whose lock no live process holds was killed before it could save
// (SIGKILL, a crash): it is listed as `stopped` (JSON: `processGone: true`) and can be resumed.

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';
import type { RunState } from '../../run/state.js';
import type { LedgerKey, LedgerTotals } from '../../cost/ledger.js';

import { formatUsd as usd } from '../../cost/format-usd.js';

function table(rows: string[][]): string {
  const widths = rows.reduce<number[]>((max, row) => row.map((cell, index) => Math.max(cell.length, max[index] ?? 0)), []);
  return rows.map((row) => row.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ').trimEnd()).join('\n');
}

async function projectRoot(): Promise<string> {
  const { findRoot } = await import('../../load/discover.js');
  return (await findRoot(process.cwd())) ?? process.cwd();
}

function listRow(state: RunState, gone: boolean): string[] {
  const steps = Object.values(state.steps);
  const done = steps.filter((step) => step.status === 'succeeded' || (step.status === 'skipped' && step.blockedBy === undefined)).length;
  return [state.runId, gone ? 'stopped' : state.status, `${state.kind} ${state.name}`, `${done}/${steps.length} steps`, usd(state.costUsd ?? 0), state.updatedAt];
}

/** True for a `running` run that no live process holds (see the header). */
async function processGone(root: string, state: RunState): Promise<boolean> {
  if (state.status !== 'running') return false;
  const [{ isLockHeld }, { runFiles }] = await Promise.all([import('../../run/lock.js'), import('../../run/state.js')]);
  return !(await isLockHeld(runFiles(root, state.runId).lock));
}

export interface RunsFlags {
  json?: boolean;
  export?: string | boolean;
}

export async function runsCommand(id: string | undefined, flags: RunsFlags): Promise<number> {
  if (id === 'stats') return runsStats(flags);
  const [{ listRuns, loadRunState }, { guardOutput }] = await Promise.all([import('../../run/state.js'), import('../progress/streams.js')]);
  // `agentpipe runs | head` closes stdout early: the rest is dropped, with no stack trace.
  const output = guardOutput();
  const root = await projectRoot();
  if (!id) {
    // A corrupt run is one row saying so; the listing goes on.
    const listings = await listRuns(root);
    const gone = await Promise.all(listings.map((listing) => ('state' in listing ? processGone(root, listing.state) : false)));
    if (flags.json) {
      const rows = listings.map((listing, index) => {
        if (!('state' in listing)) return { runId: listing.runId, status: 'corrupt', problem: listing.corrupt };
        const { state } = listing;
        return { runId: state.runId, status: state.status, ...(gone[index] ? { processGone: true } : {}), kind: state.kind, name: state.name, target: state.target, costUsd: state.costUsd, createdAt: state.createdAt, updatedAt: state.updatedAt };
      });
      output.out(`${JSON.stringify(rows, null, 2)}\n`);
    } else if (listings.length === 0) output.out('no runs yet (they are kept in .agentpipe/runs/)\n');
    else {
      const rows = listings.map((listing, index) => ('state' in listing ? listRow(listing.state, gone[index] === true) : [listing.runId, 'corrupt', `run.json ${listing.corrupt}`.slice(0, 60), '', '', '']));
      output.out(`${table([['run', 'status', 'target', 'progress', 'cost', 'updated'], ...rows])}\n`);
    }
    return 0;
  }
  const state = await loadRunState(root, id);
  const gone = await processGone(root, state);
  const { CostLedger } = await import('../../cost/ledger.js');
  const ledger = state.ledger === undefined ? new CostLedger() : CostLedger.fromJSON(state.ledger);
  const keys: LedgerKey[] = ['stepId', 'agent', 'provider', 'model'];
  const groups = Object.fromEntries(keys.map((key) => [key, Object.fromEntries(ledger.groupBy(key))])) as Record<LedgerKey, Record<string, LedgerTotals>>;
  if (flags.json) {
    output.out(`${JSON.stringify({ ...listing(state), ...(gone ? { processGone: true } : {}), total: ledger.total(), by: groups, entries: ledger.entries }, null, 2)}\n`);
    return 0;
  }
  const sections = keys.map((key) => {
    const rows = Object.entries(groups[key]).map(([name, totals]) => [`  ${name}`, `${totals.calls} calls`, `${totals.usage.inputTokens} in`, `${totals.usage.outputTokens} out`, usd(totals.costUsd)]);
    return `by ${key === 'stepId' ? 'step' : key}:\n${rows.length > 0 ? table(rows) : '  (no calls)'}`;
  });
  const total = ledger.total();
  const status = gone ? `stopped (its process is gone; resume with: agentpipe run --resume ${state.runId}${state.simulated ? ' --sim' : ''})` : state.status;
  const header = `run ${state.runId}: ${status}, ${state.kind} ${state.name} (${state.target}), ${total.calls} calls, ${usd(total.costUsd)}`;
  output.out(`${header}\n${state.error ? `error: ${state.error}\n` : ''}\n${sections.join('\n\n')}\n`);
  return 0;
}

/**
 * `runs stats`: per agent and model over the ledger index. `--export [file]` writes the counts as
 * a stats file (default .agentpipe-stats.json at the project root) for `estimate` in CI.
 */
async function runsStats(flags: RunsFlags): Promise<number> {
  const [{ readIndex }, { computeStats, statsFileName }, { guardOutput }, { UsageError }] = await Promise.all([
    import('../../cost/ledger-index.js'),
    import('../../cost/stats.js'),
    import('../progress/streams.js'),
    import('../../errors.js'),
  ]);
  const output = guardOutput();
  const root = await projectRoot();
  const stats = computeStats(await readIndex(root));
  if (flags.export !== undefined) {
    const { resolve } = await import('node:path');
    const { writeFile } = await import('node:fs/promises');
    const target = flags.export === true || flags.export === '' ? resolve(root, statsFileName) : resolve(process.cwd(), String(flags.export));
    await writeFile(target, `${JSON.stringify(stats, null, 2)}\n`).catch((error: unknown) => {
      throw new UsageError(`cannot write ${String(flags.export)}: ${error instanceof Error ? error.message : String(error)}`);
    });
    if (!flags.json) output.err(`wrote ${stats.entries.length} entr${stats.entries.length === 1 ? 'y' : 'ies'} to ${target}\n`);
  }
  if (flags.json) {
    output.out(`${JSON.stringify(stats, null, 2)}\n`);
    return 0;
  }
  if (stats.entries.length === 0) {
    output.out('no runs indexed yet (runs are indexed in .agentpipe/ledger-index.jsonl when they end)\n');
    return 0;
  }
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  const rows = [
    ['agent', 'model', 'runs', 'success', 'p50 time', 'p95 time', 'p50 cost', 'p95 cost', 'calls/item p50', 'max'],
    ...stats.entries.map((entry) => [
      entry.agent,
      entry.model,
      String(entry.runs),
      `${Math.round(entry.successRate * 100)}%`,
      seconds(entry.durationMs.p50),
      seconds(entry.durationMs.p95),
      usd(entry.costUsd.p50),
      usd(entry.costUsd.p95),
      String(entry.callsPerItem.p50),
      String(entry.callsPerItem.max),
    ]),
  ];
  output.out(`${table(rows)}\n`);
  return 0;
}

const listing = (state: RunState) => ({ runId: state.runId, status: state.status, kind: state.kind, name: state.name, target: state.target, steps: state.steps, ...(state.error ? { error: state.error } : {}) });

export const runsCommandModule: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('runs [id]', 'List past runs, show one run\'s cost ledger, or `runs stats`: per agent and model, runs, success, duration, cost, calls per item')
      .option('--json', 'Print JSON')
      .option('--export [file]', 'runs stats: write the counts (no prompts, no outputs) to a stats file that estimate reads (default .agentpipe-stats.json)')
      .action((id: string | undefined, flags: RunsFlags) => runsCommand(id, flags));
  },
};
