// `agentpipe init [dir]`: a working config repo from the examples shipped with agentpipe, plus a CI
// workflow that lints and gates on estimated cost, a package.json pinning agentpipe (so CI runs this
// version, not whatever `npx` finds) and a .gitignore for .env and run state. Never overwrites: if any
// target file exists, nothing is written (an existing package.json or .gitignore is left as it is).
// The generated files live in src/init/scaffold-files.ts; how agentpipe is depended on, in
// src/init/dependency.ts (a tarball of this agentpipe, while it is not on the npm registry).

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';

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

export interface InitFlags {
  json?: boolean;
  /** An npm spec for agentpipe instead of the packed tarball (`npm` for the registry). */
  from?: string;
}

export async function init(directory: string | undefined, flags: InitFlags = {}): Promise<number> {
  const { access, copyFile, readFile, writeFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { UsageError } = await import('../../errors.js');
  const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const { version } = JSON.parse(await readFile(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  const target = path.resolve(directory ?? '.');
  const exists = (file: string) => access(path.join(target, file)).then(() => true, () => false);

  const copies = await exampleFiles(packageRoot);
  const files = await import('../../init/scaffold-files.js');
  const workflowFile = '.github/workflows/agentpipe.yml';
  const existing: string[] = [];
  for (const file of [...copies, workflowFile]) if (await exists(file)) existing.push(file);
  if (existing.length > 0) throw new UsageError(`refusing to overwrite existing files in ${target}: ${existing.join(', ')}`);
  await ensureDirectory(target);
  const { resolveDependency } = await import('../../init/dependency.js');
  const { dependency, created: packed, tarball } = await resolveDependency(packageRoot, version, target, flags.from === undefined ? undefined : String(flags.from));
  // A lockfile only beside a package.json we write (an existing one is the user's to manage).
  const ownManifest = !(await exists('package.json'));
  const { scaffoldLockfile } = await import('../../init/lockfile.js');
  const lockfile = ownManifest && tarball && !(await exists('package-lock.json')) ? await scaffoldLockfile(packageRoot, tarball, files.packageManifest(dependency)) : undefined;
  const generated: Record<string, string> = { [workflowFile]: files.workflow(dependency, { lockfile: lockfile !== undefined }) };
  const optional: Record<string, string> = { 'package.json': files.packageJson(dependency), '.gitignore': files.gitignore, ...(lockfile ? { 'package-lock.json': lockfile } : {}) };
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

  const created = [...copies, ...packed, ...Object.keys(generated)];
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ directory: target, created, agentpipe: dependency.spec }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(
    `created ${created.length} files in ${target}\n` +
      `${dependency.explanation}\n` +
      `next: npm install, then npx agentpipe lint, then npx agentpipe run agents/researcher.yaml --sim --input question="..." (no key needed)\n`,
  );
  return 0;
}

export const initCommand: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('init [dir]', 'Scaffold a config repo with examples, a CI workflow, package.json and .gitignore')
      .option('--json', 'Print the files created as JSON')
      .option('--from <spec>', 'Depend on agentpipe through this npm spec (git URL, path, or `npm`) instead of a packed tarball')
      .action((directory: string | undefined, flags: InitFlags) => init(directory, flags));
  },
};
