// `agentpipe estimate <file...>`: dry-run cost (low, expected, worst) per step and in total, from
// given or placeholder inputs. `--max-cost` makes it a CI gate: exit 3 when the gated tier is over.

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';

export interface EstimateFlags {
  input?: string | string[];
  inputFile?: string;
  maxCost?: string | number;
  gate?: string;
  fanout?: string | number;
  format?: string;
  json?: boolean;
  model?: string;
  /** cac turns --no-history into history: false. */
  history?: boolean;
}

const formats = ['text', 'json', 'markdown'] as const;
const gates = ['worst', 'expected'] as const;

export async function estimate(files: string[], flags: EstimateFlags): Promise<number> {
  const { UsageError, ExitCode } = await import('../../errors.js');
  const number = (flag: string, value: string | number | undefined, integer: boolean): number | undefined => {
    if (value === undefined) return undefined;
    const parsed = typeof value === 'number' ? value : String(value).trim() === '' ? NaN : Number(value);
    if (!Number.isFinite(parsed) || parsed < 0 || (integer && (!Number.isInteger(parsed) || parsed < 1))) {
      throw new UsageError(`--${flag} must be ${integer ? 'a whole number >= 1' : 'a number of USD >= 0'}, got "${value}"`);
    }
    return parsed;
  };
  const maxCostUsd = number('max-cost', flags.maxCost, false);
  const fanout = number('fanout', flags.fanout, true);
  const format = flags.json ? 'json' : (flags.format ?? 'text');
  (await import('../format/format-flag.js')).checkFormat(format, formats);
  const tier = flags.gate ?? 'worst';
  if (!(gates as readonly string[]).includes(tier)) throw new UsageError(`--gate must be worst or expected, got "${tier}"`);

  // The tokenizer's rank table is the slowest import (~0.1 s): cache its compiled code on disk, and
  // start loading it now so that its file reads overlap loading the project.
  const { enableCompileCache } = await import('node:module');
  enableCompileCache?.();
  const tokenizer = import('../../cost/tokens.js').then(async ({ preloadTokenizer }) => preloadTokenizer());
  const [{ loadAndCompile }, inputs, { estimatePipeline }, { formatEstimate, formatUsd }] = await Promise.all([
    import('../../compile/project.js'),
    import('../../compile/inputs.js'),
    import('../../cost/estimate.js'),
    import('../../cost/estimate-format.js'),
  ]);
  const given = { ...(flags.inputFile ? await inputs.readInputFile(flags.inputFile) : {}), ...inputs.parseInputFlags(flags.input) };
  const gate = { tier: tier as (typeof gates)[number], ...(maxCostUsd !== undefined ? { maxCostUsd } : {}) };
  // Several files (a CI gate over templates/*.yaml) are estimated one by one and gated each.
  const reports = [];
  const { loadHistory } = await import('../../cost/load-history.js');
  for (const file of files) {
    const { pipeline } = await loadAndCompile(file, flags.model ? { modelOverride: flags.model } : {});
    const history = flags.history === false ? undefined : await loadHistory(pipeline);
    await tokenizer;
    reports.push(await estimatePipeline(pipeline, { inputs: given, ...(fanout !== undefined ? { fanout } : {}), ...(history ? { history } : {}) }));
  }
  if (format === 'json' && reports.length > 1) {
    process.stdout.write(`[${reports.map((report) => formatEstimate(report, 'json', gate).trim()).join(',\n')}]\n`);
  } else {
    process.stdout.write(reports.map((report) => formatEstimate(report, format as (typeof formats)[number], gate)).join('\n'));
  }
  let over = false;
  for (const [index, report] of reports.entries()) {
    if (maxCostUsd === undefined || report.totalUsd[gate.tier] <= maxCostUsd) continue;
    over = true;
    process.stderr.write(`agentpipe: ${files[index]}: ${gate.tier} cost ${formatUsd(report.totalUsd[gate.tier])} is over --max-cost ${maxCostUsd}\n`);
  }
  return over ? ExitCode.overBudget : ExitCode.ok;
}

export const estimateCommand: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('estimate <...files>', 'Estimate the cost of runs: low, expected and worst, per step and in total (each file gated on its own)')
      .option('--input <name=value>', 'An input value (repeatable); missing inputs get their example, default or a placeholder')
      .option('--input-file <file>', 'Input values from a JSON or YAML file')
      .option('--max-cost <usd>', 'Exit 3 when the gated cost is over this many USD')
      .option('--gate <tier>', 'Which figure --max-cost checks: worst or expected (default worst)')
      .option('--fanout <n>', 'Items per for_each step (default: the sample input array length, else 3)')
      .option('--format <format>', 'text, json or markdown (a PR comment)')
      .option('--json', 'Same as --format json')
      .option('--model <model>', 'A route or provider/model replacing every step\'s model')
      .option('--no-history', 'Ignore past runs (.agentpipe/ledger-index.jsonl, .agentpipe-stats.json): the prior alone')
      .example('  low       a floor: no run of the target costs less (one call per item, the request as sent counted low, a one-token answer, cache hits, the cheapest model of the chain; with history, never above the cheapest run seen)')
      .example('  expected  a point estimate: medians of past runs of the same agent and model, else a prior (3 calls with tools, 400-token answers)')
      .example('  worst     a ceiling: max_iterations calls of max_tokens on every model of the chain, no cache hits; narrowed by history, capped by max_cost (a run stops at its budget)')
      .example('  Each step shows its source: prior, history: N runs, or stats file: N runs.')
      .action((files: string[], flags: EstimateFlags) => estimate(files, flags));
  },
};
