// `agentpipe render <agent> [--input k=v ...] [--input-file f] [--explain]`: prints the exact system
// and user messages the agent would send. Missing inputs get placeholders (example, default, <name>).

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';

export interface RenderFlags {
  input?: string | string[];
  inputFile?: string;
  explain?: boolean;
  json?: boolean;
}

export async function render(agentName: string, flags: RenderFlags): Promise<number> {
  const [{ loadConfig }, { resolveTarget, compile }, inputs, { renderPrompt }, { UsageError }] = await Promise.all([
    import('../../compile/project.js'),
    import('../../compile/compile.js'),
    import('../../compile/inputs.js'),
    import('../../compile/prompt.js'),
    import('../../errors.js'),
  ]);
  const { config, env } = await loadConfig({ file: agentName });
  if (resolveTarget(config, agentName).kind !== 'agent') throw new UsageError(`render takes an agent; "${agentName}" is a template (try \`agentpipe explain ${agentName}\`)`);
  const agent = compile(config, agentName, { env }).steps[0]!.agent;
  const fromFile = flags.inputFile ? await inputs.readInputFile(flags.inputFile) : {};
  const values = inputs.resolveInputs(agent.inputs, { ...fromFile, ...inputs.parseInputFlags(flags.input) }, { mode: 'estimate' });
  const prompt = renderPrompt(agent, { inputs: values });
  if (flags.json) {
    const parts = prompt.parts.map((part) => ({ kind: part.kind, name: part.name, source: part.source, cacheable: part.cacheable, text: part.text }));
    process.stdout.write(`${JSON.stringify({ agent: agent.name, system: prompt.system, user: prompt.user, parts }, null, 2)}\n`);
    return 0;
  }
  const lines: string[] = [];
  if (flags.explain) {
    const systemParts = prompt.parts.filter((part) => part.kind !== 'user');
    systemParts.forEach((part, index) => {
      const where = `${part.source.file}:${part.source.line}`;
      lines.push(`--- system ${index + 1}/${systemParts.length}: ${part.kind} ${part.name} (${where}, ${part.cacheable ? 'cacheable' : 'per-run'}) ---`, part.text, '');
    });
    lines.push(`--- user (${agent.prompt.user.source.file}:${agent.prompt.user.source.line}) ---`, prompt.user);
  } else {
    lines.push('--- system ---', prompt.system.map((part) => part.text).join('\n\n'), '', '--- user ---', prompt.user);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

export const renderCommand: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('render <agent>', 'Print the composed system and user prompt of an agent')
      .option('--input <name=value>', 'An input value (repeatable); missing inputs get placeholders')
      .option('--input-file <file>', 'Input values from a JSON or YAML file')
      .option('--explain', 'Show the source file:line of each part')
      .option('--json', 'Print the messages and their parts (with sources) as JSON')
      .action((agent: string, flags: RenderFlags) => render(agent, flags));
  },
};
