// `agentpipe init [dir]`: a working config repo from the examples shipped with agentpipe, plus a CI
// workflow that lints and gates on estimated cost, a package.json pinning agentpipe (so CI runs this
// version, not whatever `npx` finds) and a .gitignore for .env and run state. Never overwrites: if any
// target file exists, nothing is written (an existing package.json or .gitignore is left as it is).

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';

const workflow = `name: agentpipe
on:
  pull_request:
  push:
    branches: [main]
# Least privilege: read the code; only the review job may write, and only PR comments.
permissions:
  contents: read
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: { node-version: 24 }
      - run: npm install
      - run: npx agentpipe lint --format github
      # Fails the check (exit 3) when a template's expected cost is over $1. Use --gate worst for a
      # hard ceiling: worst = max_tokens x max_iterations on every fallback model.
      - run: npx agentpipe estimate templates/*.yaml --gate expected --max-cost 1 --format markdown >> "$GITHUB_STEP_SUMMARY"
      # tests/*.yaml, answered by their cassettes: offline, no API key.
      - run: npx agentpipe test --format github
  review:
    # What the pull request changes in effect (prompts, models, prices, permissions, cost), as one
    # comment that is updated on every push. Add --fail-on widen to fail on a permission widening.
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pull-requests: write
    steps:
      - uses: actions/checkout@v4
        with: { fetch-depth: 0 }
      - uses: actions/setup-node@v4
        with: { node-version: 24 }
      - run: npm install
      - name: agentpipe diff
        env:
          BASE_REF: \${{ github.base_ref }}
        run: npx agentpipe diff "origin/$BASE_REF" HEAD --format markdown > agentpipe-diff.md
      - name: One sticky comment
        env:
          GH_TOKEN: \${{ github.token }}
          PR: \${{ github.event.pull_request.number }}
          REPO: \${{ github.repository }}
        run: |
          id=$(gh api "repos/$REPO/issues/$PR/comments" --paginate --jq '.[] | select(.body | startswith("<!-- agentpipe-diff -->")) | .id' | head -n 1)
          if [ -n "$id" ]; then
            gh api --method PATCH "repos/$REPO/issues/comments/$id" -F body=@agentpipe-diff.md > /dev/null
          else
            gh api --method POST "repos/$REPO/issues/$PR/comments" -F body=@agentpipe-diff.md > /dev/null
          fi
`;

const gitignore = `# agentpipe: keys and run state never belong in git
.env
.env.*
.agentpipe/
node_modules/
out/
`;

const packageJson = (version: string): string =>
  `${JSON.stringify(
    {
      private: true,
      type: 'module',
      scripts: { lint: 'agentpipe lint', estimate: 'agentpipe estimate templates/*.yaml --gate expected --max-cost 1' },
      devDependencies: { agentpipe: `^${version}` },
    },
    null,
    2,
  )}\n`;

/** Example files, relative to the package root, in the order they are written. */
async function exampleFiles(packageRoot: string): Promise<string[]> {
  const { glob } = await import('tinyglobby');
  const files = await glob(['providers.yaml', 'tools.yaml', 'agents/**/*.yaml', 'templates/*.yaml', 'schemas/*.schema.json', 'tests/*.yaml', 'tests/cassettes/*.json'], { cwd: packageRoot });
  return files.sort();
}

const reasons: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'its parent cannot hold new folders',
  ENOSPC: 'no space left on the device',
};
const reason = (error: NodeJS.ErrnoException): string => (error.code && reasons[error.code]) ?? error.code ?? error.message;

/**
 * Creates `directory` and its missing parents one level at a time. (A recursive mkdir can spin
 * forever under /proc on Linux; one level at a time fails fast with a plain error code.)
 */
async function ensureDirectory(directory: string): Promise<void> {
  const { mkdir, stat } = await import('node:fs/promises');
  const path = await import('node:path');
  const { UsageError } = await import('../../errors.js');
  const missing: string[] = [];
  let current = directory;
  for (;;) {
    const info = await stat(current).catch((error: NodeJS.ErrnoException) => error);
    if (!(info instanceof Error)) {
      if (!info.isDirectory()) throw new UsageError(`cannot create ${directory}: ${current} is a file, not a folder`);
      break;
    }
    if (info.code !== 'ENOENT') throw new UsageError(`cannot create ${directory}: ${reason(info)}`);
    missing.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of missing) {
    await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw new UsageError(`cannot create ${folder}: ${reason(error)}`);
    });
  }
}

export async function init(directory: string | undefined, flags: { json?: boolean } = {}): Promise<number> {
  const { access, copyFile, readFile, writeFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { UsageError } = await import('../../errors.js');
  const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const { version } = JSON.parse(await readFile(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  const target = path.resolve(directory ?? '.');
  const exists = (file: string) => access(path.join(target, file)).then(() => true, () => false);

  const copies = await exampleFiles(packageRoot);
  const generated: Record<string, string> = { '.github/workflows/agentpipe.yml': workflow };
  const optional: Record<string, string> = { 'package.json': packageJson(version), '.gitignore': gitignore };
  const existing: string[] = [];
  for (const file of [...copies, ...Object.keys(generated)]) if (await exists(file)) existing.push(file);
  if (existing.length > 0) throw new UsageError(`refusing to overwrite existing files in ${target}: ${existing.join(', ')}`);
  for (const [file, text] of Object.entries(optional)) if (!(await exists(file))) generated[file] = text;

  const write = async (file: string, action: (destination: string) => Promise<void>) => {
    const destination = path.join(target, file);
    await ensureDirectory(path.dirname(destination));
    await action(destination).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot write ${destination}: ${reason(error)}`);
    });
  };
  for (const file of copies) await write(file, (destination) => copyFile(path.join(packageRoot, file), destination));
  for (const [file, text] of Object.entries(generated)) await write(file, (destination) => writeFile(destination, text, { flag: 'wx' }));

  const created = [...copies, ...Object.keys(generated)];
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ directory: target, created }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(
    `created ${created.length} files in ${target}\n` +
      `next: npm install, then npx agentpipe lint, then npx agentpipe run agents/researcher.yaml --input question="..."\n`,
  );
  return 0;
}

export const initCommand: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('init [dir]', 'Scaffold a config repo with examples, a CI workflow, package.json and .gitignore')
      .option('--json', 'Print the files created as JSON')
      .action((directory: string | undefined, flags: { json?: boolean }) => init(directory, flags));
  },
};
