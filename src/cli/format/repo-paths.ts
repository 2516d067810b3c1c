// Where annotation paths start: GitHub (workflow commands, code scanning) resolves them against the
// repository root, so a config repo in a subfolder must prefix its paths with that folder.

import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** The nearest folder at or above `start` holding `.git` (a folder, or a file in a worktree), if any. */
export function findGitRoot(start: string): string | undefined {
  let folder = start;
  for (;;) {
    if (existsSync(join(folder, '.git'))) return folder;
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

/** Turns a project-relative path into one relative to the git root (unchanged without a repository). */
export function repoRelative(projectRoot: string): (file: string) => string {
  const gitRoot = findGitRoot(projectRoot);
  const prefix = gitRoot ? relative(gitRoot, projectRoot).split(sep).join('/') : '';
  return (file) => (prefix === '' ? file : `${prefix}/${file}`);
}
