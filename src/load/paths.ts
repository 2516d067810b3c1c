// `lint a/b.yaml agents/`: the whole project is still loaded and checked (references need it), and
// only what is under the given paths is reported and counted. A path that does not exist, lies
// outside the project or holds no config file is a usage error: linting nothing must not pass.

import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { RawProject } from './types.js';

/** Throws UsageError (exit 2) for the first given path that does not exist. */
export async function requireExistingPaths(paths: readonly string[], cwd = process.cwd()): Promise<void> {
  for (const given of paths) {
    const exists = await stat(path.resolve(cwd, given)).then(() => true, () => false);
    if (!exists) throw new UsageError(`no such file or folder: ${given}`);
  }
}

export interface PathSelection {
  /** Whether a file (relative to the root, as in diagnostics) is under one of the paths. */
  includes(file: string): boolean;
  /** How many config files are under the paths: all of them when no path is given. */
  fileCount: number;
}

/**
 * Which of the loaded project's files the paths select. Every path must be inside the project and
 * hold a config file, or at least a file something was reported about (a stray `.yml`).
 */
export function selectPaths(raw: RawProject, paths: readonly string[], cwd = process.cwd()): PathSelection {
  const allFiles = [...raw.files.map((source) => source.file), ...(raw.unloaded ?? []).map((file) => file.file)];
  const targets = paths.map((given) => ({ given, target: path.resolve(cwd, given) }));
  // Without a project there is nothing to select: the load diagnostic says why.
  if (targets.length === 0 || targets.some(({ target }) => target === raw.root) || allFiles.length === 0) return { includes: () => true, fileCount: allFiles.length };
  const under = (file: string, target: string): boolean => {
    const absolute = path.join(raw.root, file);
    return absolute === target || absolute.startsWith(`${target}${path.sep}`);
  };
  const reported = raw.diagnostics.map((diagnostic) => diagnostic.file);
  for (const { given, target } of targets) {
    if (target !== raw.root && !target.startsWith(`${raw.root}${path.sep}`)) throw new UsageError(`${given} is outside the project at ${raw.root}`);
    if (![...allFiles, ...reported].some((file) => under(file, target))) {
      const what = statSync(target, { throwIfNoEntry: false })?.isDirectory() ? 'holds no config file' : 'is not a config file';
      throw new UsageError(`${given} ${what} (lint reads providers.yaml, tools.yaml, agents/**/*.yaml and templates/*.yaml)`);
    }
  }
  const includes = (file: string): boolean => targets.some(({ target }) => under(file, target));
  return { includes, fileCount: allFiles.filter(includes).length };
}
