// `agentpipe explain <file> [--json]`: the resolved plan: step levels, each step's fallback chain
// with prices, effective tool permissions and search mode. `--json` prints the compiled IR.

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';

export async function explain(file: string, flags: { json?: boolean; model?: string }): Promise<number> {
  const [{ loadAndCompile }, { describePipeline }] = await Promise.all([import('../../compile/project.js'), import('../../compile/describe.js')]);
  const { pipeline } = await loadAndCompile(file, flags.model ? { modelOverride: flags.model } : {});
  const { explainKnowledge, describeKnowledge } = await import('../../knowledge/explain.js');
  const knowledge = await explainKnowledge(pipeline);
  if (flags.json) process.stdout.write(`${JSON.stringify(knowledge.length ? { ...pipeline, knowledgeIndex: knowledge } : pipeline, null, 2)}\n`);
  else process.stdout.write(`${describePipeline(pipeline)}${knowledge.length ? `${describeKnowledge(knowledge)}\n` : ''}`);
  return 0;
}

export const explainCommand: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('explain <file>', 'Print the resolved plan: step graph, fallback chains with prices, permissions, search, knowledge sources and index state')
      .option('--json', 'Print the compiled pipeline (IR) as JSON')
      .option('--model <model>', 'A route or provider/model replacing every step\'s model')
      .action((file: string, flags: { json?: boolean; model?: string }) => explain(file, flags));
  },
};
