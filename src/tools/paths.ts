// Resolving a path the model gave into the workspace. Checked twice: lexically (no `..` or absolute
// escape) and after realpath (no symlink, file or directory, pointing out). Writes resolve the nearest
// existing parent, since the target may not exist yet.

import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ToolDeniedError, ToolFailedError } from './types.js';

export type PathAccess = 'read' | 'write';

export interface WorkspacePath {
  /** What the model asked for, as given. */
  requested: string;
  /** Real absolute path to do I/O on (symlinks resolved). */
  real: string;
  /** Workspace-relative, `/`-separated, before symlinks (`''` for the root). */
  relative: string;
  /** Workspace-relative after symlinks. Rules must accept both. */
  realRelative: string;
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error ? String(error.code) : undefined;
}

/** Workspace-relative `/` path, or undefined when `target` is outside `root`. */
export function insideRoot(root: string, target: string): string | undefined {
  const rel = relative(root, target);
  if (rel === '') return '';
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

const realWorkspaces = new Map<string, Promise<string>>();

export function realWorkspace(workspace: string): Promise<string> {
  let real = realWorkspaces.get(workspace);
  if (!real) {
    real = realpath(workspace);
    realWorkspaces.set(workspace, real);
  }
  return real;
}

/** realpath of the nearest existing ancestor, with the missing tail appended. A dangling symlink is refused. */
async function realpathForWrite(target: string): Promise<string> {
  const missing: string[] = [];
  let current = target;
  for (;;) {
    try {
      return join(await realpath(current), ...missing.reverse());
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
    const isDanglingLink = await lstat(current).then(
      (stats) => stats.isSymbolicLink(),
      () => false,
    );
    if (isDanglingLink) throw new ToolDeniedError('workspace', `"${current}" is a symlink whose target does not exist`);
    missing.push(basename(current));
    const parent = dirname(current);
    if (parent === current) throw new ToolFailedError(`no existing parent for "${target}"`);
    current = parent;
  }
}

/**
 * `checkLexical` runs on the workspace-relative path before the file system is touched, so a denied
 * path is refused whether or not it exists (and its existence is not revealed).
 */
export async function resolveWorkspacePath(
  workspace: string,
  requested: string,
  access: PathAccess,
  checkLexical: (relativePath: string) => void = () => undefined,
): Promise<WorkspacePath> {
  if (requested.includes('\0')) throw new ToolDeniedError('workspace', 'path contains a NUL byte');
  const root = await realWorkspace(workspace);
  // Absolute paths are accepted only when they already point inside the workspace.
  const lexical = resolve(root, requested);
  const lexicalRelative = insideRoot(root, lexical) ?? insideRoot(workspace, resolve(workspace, requested));
  if (lexicalRelative === undefined) {
    throw new ToolDeniedError('workspace', `"${requested}" is outside the workspace (absolute paths and ".." may not leave it)`);
  }
  checkLexical(lexicalRelative);
  let real: string;
  try {
    real = access === 'read' ? await realpath(join(root, lexicalRelative)) : await realpathForWrite(join(root, lexicalRelative));
  } catch (error) {
    if (error instanceof ToolDeniedError) throw error;
    const code = errorCode(error);
    if (code === 'ENOENT') throw new ToolFailedError(`no such file: "${requested}"`);
    throw new ToolFailedError(`cannot resolve "${requested}": ${code ?? String(error)}`);
  }
  const realRelative = insideRoot(root, real);
  if (realRelative === undefined) {
    throw new ToolDeniedError('workspace', `"${requested}" resolves through a symlink to outside the workspace`);
  }
  return { requested, real, relative: lexicalRelative, realRelative };
}
