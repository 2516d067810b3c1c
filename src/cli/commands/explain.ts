// `agentpipe explain <file> [--json]`: the resolved plan: step levels, each step's fallback chain
// with prices, effective tool permissions and search mode. `--json` prints the compiled IR.

import type { CAC } from 'cac';
import { styleText } from 'node:util';
import type { CompiledPipeline } from '../../compile/ir.js';
import type { CommandModule } from './index.js';

export async function explain(file: string, flags: { json?: boolean; model?: string }): Promise<number> {
  const [{ loadAndCompile }, { describePipeline }] = await Promise.all([import('../../compile/project.js'), import('../../compile/describe.js')]);
  const { pipeline } = await loadAndCompile(file, flags.model ? { modelOverride: flags.model } : {});
  const { explainKnowledge, describeKnowledge } = await import('../../knowledge/explain.js');
  const knowledge = await explainKnowledge(pipeline);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(knowledge.length ? { ...pipeline, knowledgeIndex: knowledge } : pipeline, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(paintSandbox(`${describePipeline(pipeline)}${knowledge.length ? `${describeKnowledge(knowledge)}\n` : ''}${await describeHostSandbox(pipeline)}`));
  return 0;
}

/** Whether commands would run confined on this host, when some step can start one. */
async function describeHostSandbox(pipeline: CompiledPipeline): Promise<string> {
  const runsCommands = pipeline.steps.some((step) => step.agent.toolSet.tools.some((tool) => tool.kind === 'command' || (tool.kind === 'builtin' && tool.builtin === 'bash') || (tool.kind === 'mcp' && step.agent.toolSet.mcpServers?.[tool.server]?.transport === 'stdio')));
  if (!runsCommands) return '';
  const { describeSandbox } = await import('../../sandbox/index.js');
  const { text } = await describeSandbox('auto');
  return `\nsandbox on this host: ${text}\n`;
}

/** `sandbox OFF` and an unavailable sandbox in red (plain when stdout is not a terminal or NO_COLOR is set). */
function paintSandbox(text: string): string {
  return text.replace(/sandbox OFF|sandbox on this host: unavailable.*/g, (match) => styleText('red', match));
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
