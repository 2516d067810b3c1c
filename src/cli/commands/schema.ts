// `agentpipe schema [kind]`: the JSON Schemas for editors. All of them as one object keyed by kind
// (common included, since the others $ref it), or one kind's schema. `stats` is the file
// `runs stats --export` writes (.agentpipe-stats.json), which estimate reads back.

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';

export async function schema(kind: string | undefined): Promise<number> {
  const { readSchema, schemaKinds } = await import('../../validate/schema-files.js');
  const kinds = [...schemaKinds, 'stats', 'common'];
  if (kind === undefined) {
    const all = Object.fromEntries(kinds.map((name) => [name, readSchema(`${name}.schema.json`)]));
    process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
    return 0;
  }
  if (!kinds.includes(kind)) {
    const { UsageError } = await import('../../errors.js');
    throw new UsageError(`unknown schema kind \`${kind}\`; use one of ${kinds.join(', ')}`);
  }
  process.stdout.write(`${JSON.stringify(readSchema(`${kind}.schema.json`), null, 2)}\n`);
  return 0;
}

export const schemaCommand: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('schema [kind]', 'Print the JSON Schemas (providers, tools, agent, layer, template, test, stats, common)')
      .option('--json', 'Accepted for symmetry: the output is always JSON')
      .action((kind?: string) => schema(kind));
  },
};
