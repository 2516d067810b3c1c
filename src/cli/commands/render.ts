// `agentpipe render <agent> [--input k=v ...] [--input-file f] [--explain]`: prints the exact system
// and user messages the agent would send. Missing inputs get placeholders (example, default, <name>).

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';

export interface RenderFlags {
  input?: string | string[];
  inputFile?: string;
  explain?: boolean;
  json?: boolean;
  check?: boolean;
  update?: boolean;
}

/** `render --check` / `--update`: every agent (or the one named) against tests/prompts/<agent>.txt. Exit 1 on a difference. */
async function golden(agentName: string | undefined, flags: RenderFlags): Promise<number> {
  const [{ loadConfig }, { resolveTarget }, { checkGolden, goldenFolder }, { UsageError }] = await Promise.all([
    import('../../compile/project.js'),
    import('../../compile/compile.js'),
    import('../../gitops/golden.js'),
    import('../../errors.js'),
  ]);
  const { config, env } = await loadConfig(agentName ? { file: agentName } : {});
  let names = [...config.agents.keys()].sort();
  if (agentName) {
    const target = resolveTarget(config, agentName);
    if (target.kind !== 'agent') throw new UsageError(`render takes an agent; "${agentName}" is a template`);
    names = [target.file.value.name];
  }
  const results = await checkGolden(config, env, names, flags.update === true);
  const failed = results.filter((result) => result.status === 'changed' || result.status === 'missing');
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ folder: goldenFolder, results }, null, 2)}\n`);
  } else {
    const lines: string[] = [];
    for (const result of results) {
      if (result.status === 'written') lines.push(`wrote ${result.file}`);
      if (result.status === 'missing') lines.push(`${result.file}: missing`);
      if (result.status === 'changed') lines.push(`${result.file}: the rendered prompt of ${result.agent} changed:`, result.diff!.trimEnd());
    }
    const fix = failed.length ? `; if intended, run \`agentpipe render --update${agentName ? ` ${agentName}` : ''}\` and commit ${goldenFolder}/` : '';
    lines.push(`${results.length - failed.length} of ${results.length} prompt snapshots match${fix}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return failed.length > 0 ? 1 : 0;
}

export async function render(agentName: string | undefined, flags: RenderFlags): Promise<number> {
  if (flags.check || flags.update) return golden(agentName, flags);
  const [{ loadConfig }, { resolveTarget, compile }, inputs, { renderPrompt }, { UsageError }] = await Promise.all([
    import('../../compile/project.js'),
    import('../../compile/compile.js'),
    import('../../compile/inputs.js'),
    import('../../compile/prompt.js'),
    import('../../errors.js'),
  ]);
  if (agentName === undefined) throw new UsageError('render takes an agent name or file (or --check / --update for every agent)');
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
      .command('render [agent]', 'Print the composed system and user prompt of an agent; --check compares every agent with tests/prompts/')
      .option('--input <name=value>', 'An input value (repeatable); missing inputs get placeholders')
      .option('--input-file <file>', 'Input values from a JSON or YAML file')
      .option('--explain', 'Show the source file:line of each part')
      .option('--json', 'Print the messages and their parts (with sources) as JSON')
      .option('--check', 'Compare rendered prompts with tests/prompts/<agent>.txt; exit 1 on a difference')
      .option('--update', 'Write tests/prompts/<agent>.txt from the rendered prompts')
      .action((agent: string | undefined, flags: RenderFlags) => render(agent, flags));
  },
};
