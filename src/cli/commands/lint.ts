// `agentpipe lint [paths...]`: load + validate, print diagnostics. Exit 0 clean, 2 on errors
// (warnings too with --strict). The real work is imported inside the action.

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';

interface LintFlags {
  format?: string;
  json?: boolean;
  strict?: boolean;
}

export async function lint(paths: string[], flags: LintFlags): Promise<number> {
  // Node's on-disk compile cache (a no-op where unsupported) saves re-compiling the generated
  // validators and js-yaml on every CI run; modules imported from here on use it.
  (await import('node:module')).enableCompileCache?.();
  const format = await import('../format/diagnostics.js');
  const formatName = flags.json ? 'json' : (flags.format ?? 'text');
  (await import('../format/format-flag.js')).checkFormat(formatName, format.diagnosticFormats);
  const { loadProject } = await import('../../load/index.js');
  const { requireExistingPaths, selectPaths } = await import('../../load/paths.js');
  const { validateProject } = await import('../../validate/index.js');
  await requireExistingPaths(paths);
  const raw = await loadProject({ paths });
  // The whole project is checked (references need it); only the given paths are reported and counted.
  const selection = selectPaths(raw, paths);
  const result = await validateProject(raw, { mode: 'lint' });
  const diagnostics = result.diagnostics.filter((diagnostic) => diagnostic.code === 'load/no-project' || selection.includes(diagnostic.file));
  // The committed calibration file (agentpipe runs stats --export), when linting the whole project.
  if (paths.length === 0 && raw.root) diagnostics.push(...(await (await import('../../cost/lint-stats.js')).lintStatsFile(raw.root)));
  const { errors, warnings } = format.countBySeverity(diagnostics);
  const output =
    formatName === 'json' ? format.formatJson(diagnostics)
    : formatName === 'github' ? format.formatGithub(diagnostics, (await import('../format/repo-paths.js')).repoRelative(raw.root))
    : formatName === 'sarif' ? await sarif(diagnostics, raw.root)
    : format.formatText(diagnostics, selection.fileCount);
  process.stdout.write(output);
  return errors > 0 || (flags.strict === true && warnings > 0) ? 2 : 0;
}

async function sarif(diagnostics: Parameters<typeof import('../format/sarif.js').formatSarif>[0], root: string): Promise<string> {
  const [{ formatSarif }, { repoRelative }, { existsSync }, { join }] = await Promise.all([
    import('../format/sarif.js'),
    import('../format/repo-paths.js'),
    import('node:fs'),
    import('node:path'),
  ]);
  return formatSarif(diagnostics, { version: await packageVersion(), toRepoPath: repoRelative(root), exists: (file) => existsSync(join(root, file)) });
}

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(new URL('../../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

export const lintCommand: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('lint [...paths]', 'Check schemas, references, templates, secrets and env vars')
      .option('--format <format>', 'text | json | github | sarif', { default: 'text' })
      .option('--json', 'Same as --format json')
      .option('--strict', 'Exit 2 on warnings too')
      .action((paths: string[], flags: LintFlags) => lint(paths, flags));
  },
};
