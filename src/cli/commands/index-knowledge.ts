// `agentpipe index [target] [--all] [--json]`: builds or updates the knowledge index of an agent,
// of the agents of a template, or of every agent with `knowledge:`. Incremental: only files whose
// content or embedding model changed are embedded again. Progress goes to stderr (a bar on a
// terminal, a line per file otherwise); the summary to stdout.

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';
import type { IndexReport } from '../../knowledge/indexer.js';

interface IndexFlags {
  all?: boolean;
  json?: boolean;
}

export async function indexCommand(target: string | undefined, flags: IndexFlags): Promise<number> {
  const [{ knowledgeTargets }, { openStores }, { runIndex, describeIndexReport }] = await Promise.all([
    import('../../knowledge/targets.js'),
    import('../../store/registry.js'),
    import('../../knowledge/run-index.js'),
  ]);
  const { root, env, agents } = await knowledgeTargets(target, flags.all === true);
  const stores = await openStores({ root });
  const reports: IndexReport[] = [];
  try {
    for (const agent of agents) {
      const report = await runIndex(agent, stores.knowledge, env, { progress: !flags.json, root });
      reports.push(report);
      if (!flags.json) process.stdout.write(`${describeIndexReport(report)}\n`);
    }
  } finally {
    stores.close();
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(reports.map(({ charges: _charges, ...report }) => report), null, 2)}\n`);
  else if (agents.length === 0) process.stdout.write('no agent has knowledge: to index\n');
  return 0;
}

export const indexCommandModule: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('index [target]', 'Build or update the knowledge index of an agent (or every agent of a template, or --all)')
      .option('--all', 'Index every agent that has knowledge:')
      .option('--json', 'Print the index reports as JSON')
      .action((target: string | undefined, flags: IndexFlags) => indexCommand(target, flags));
  },
};
