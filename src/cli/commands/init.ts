// `agentpipe init [dir]`: a working config repo from the examples shipped with agentpipe, plus a CI
// workflow that lints and gates on estimated cost. Never overwrites: if any target exists, nothing is written.

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';

const workflow = `name: agentpipe
on: [pull_request, push]
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: { node-version: 22 }
      - run: npx agentpipe lint --format github
      - run: npx agentpipe estimate templates/*.yaml --max-cost 1
`;

/** Example files, relative to the package root, in the order they are written. */
async function exampleFiles(packageRoot: string): Promise<string[]> {
  const { glob } = await import('tinyglobby');
  const files = await glob(['providers.yaml', 'tools.yaml', 'agents/**/*.yaml', 'templates/*.yaml', 'schemas/*.schema.json'], { cwd: packageRoot });
  return files.sort();
}

export async function init(directory: string | undefined, flags: { json?: boolean } = {}): Promise<number> {
  const { access, copyFile, mkdir, writeFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { UsageError } = await import('../../errors.js');
  const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const target = path.resolve(directory ?? '.');
  const files = await exampleFiles(packageRoot);
  const all = [...files, '.github/workflows/agentpipe.yml'];
  const existing: string[] = [];
  for (const file of all) if (await access(path.join(target, file)).then(() => true, () => false)) existing.push(file);
  if (existing.length > 0) throw new UsageError(`refusing to overwrite existing files in ${target}: ${existing.join(', ')}`);
  for (const file of files) {
    await mkdir(path.dirname(path.join(target, file)), { recursive: true });
    await copyFile(path.join(packageRoot, file), path.join(target, file));
  }
  await mkdir(path.join(target, '.github/workflows'), { recursive: true });
  await writeFile(path.join(target, '.github/workflows/agentpipe.yml'), workflow, { flag: 'wx' });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ directory: target, created: all }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`created ${all.length} files in ${target}\nnext: agentpipe lint, then agentpipe run agents/researcher.yaml --input question="..."\n`);
  return 0;
}

export const initCommand: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('init [dir]', 'Scaffold a config repo with examples and a CI workflow')
      .option('--json', 'Print the files created as JSON')
      .action((directory: string | undefined, flags: { json?: boolean }) => init(directory, flags));
  },
};
