// `agentpipe diff [BASE] [HEAD]`: the semantic change report between two revisions (or folders) of a
// config repo: impact, rendered prompt diffs, models and prices, permission widenings, cost delta.
// Exit 0 when the report was made, 4 with `--fail-on widen` when a permission widens, 2 on usage.

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';

export interface DiffFlags {
  format?: string;
  json?: boolean;
  failOn?: string;
}

export async function diff(base: string | undefined, head: string | undefined, flags: DiffFlags): Promise<number> {
  (await import('node:module')).enableCompileCache?.();
  const [{ UsageError, ExitCode }, { diffFormats, formatDiff }] = await Promise.all([import('../../errors.js'), import('../../gitops/format.js')]);
  const format = flags.json ? 'json' : (flags.format ?? 'text');
  if (!(diffFormats as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${diffFormats.join(', ')}, got "${format}"`);
  if (flags.failOn !== undefined && flags.failOn !== 'widen') throw new UsageError(`--fail-on takes "widen", got "${String(flags.failOn)}"`);
  const [{ resolveSides }, { Snapshot }, { compareSnapshots }] = await Promise.all([import('../../gitops/revision.js'), import('../../gitops/snapshot.js'), import('../../gitops/compare.js')]);
  const sides = await resolveSides(base, head, process.cwd());
  try {
    const cache = new Map();
    const before = await Snapshot.load(`BASE ${sides.base.label}`, sides.base.root, cache, sides.base.files);
    const after = await Snapshot.load(`HEAD ${sides.head.label}`, sides.head.root, cache, sides.head.files);
    const report = await compareSnapshots(before, after, { base: sides.base, head: sides.head });
    process.stdout.write(formatDiff(report, format as (typeof diffFormats)[number]));
    if (flags.failOn === 'widen' && report.summary.widenings > 0) {
      process.stderr.write(`agentpipe: ${report.summary.widenings} permission widening${report.summary.widenings === 1 ? '' : 's'} (--fail-on widen)\n`);
      return ExitCode.widening;
    }
    return ExitCode.ok;
  } finally {
    await Promise.all([sides.base.dispose(), sides.head.dispose()]);
  }
}

export const diffCommand: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('diff [base] [head]', 'What a change does: affected agents, prompt diffs, models and prices, permission widenings, cost (git revisions or folders)')
      .option('--format <format>', 'text, markdown (a PR comment), json or github')
      .option('--json', 'Same as --format json')
      .option('--fail-on <what>', 'widen: exit 4 when a permission widens')
      .action((base: string | undefined, head: string | undefined, flags: DiffFlags) => diff(base, head, flags));
  },
};
