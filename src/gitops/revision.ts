// What `agentpipe diff [BASE] [HEAD]` compares: each side is a git revision (read through the git
// CLI into a temporary folder) or a folder on disk. Defaults: BASE is the merge base of HEAD with the
// default branch, HEAD is the working tree.

import { writeFileSync } from 'node:fs';
import { mkdtemp, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { findRoot } from '../load/discover.js';
import { defaultBase, git, gitTopLevel, listTree, readBlobs, resolveCommit } from './git.js';

export interface Side {
  /** What the user named (`main`, `HEAD~1`, `working tree`, a folder), for the report. */
  label: string;
  /** The commit, for a git revision. */
  commit?: string;
  /** A project root: holding providers.yaml, or (for a revision) an empty folder with `files` beside it. */
  root: string;
  /** A revision's config files in memory, by path relative to the root. */
  files?: ReadonlyMap<string, Buffer>;
  /** Removes a temporary copy; a no-op for folders. */
  dispose(): Promise<void>;
}

/** Files of a revision that the config (and its estimate) reads. */
const configFile = /^(providers\.yaml|tools\.yaml|\.agentpipe-stats\.json|(agents|templates|tests)\/.+)$/;

const isDirectory = (file: string): Promise<boolean> => stat(file).then((info) => info.isDirectory(), () => false);

async function folderSide(folder: string, label: string): Promise<Side> {
  const root = await findRoot(folder);
  if (root === undefined) throw new UsageError(`${label}: no providers.yaml in ${folder} or any folder above it; name a config repo folder or a git revision`);
  return { label, root, dispose: async () => {} };
}

async function revisionSide(projectRoot: string, revision: string, role: 'BASE' | 'HEAD', commit?: string, label?: string): Promise<Side> {
  const top = await gitTopLevel(projectRoot);
  if (top === undefined) throw new UsageError(`${role} "${revision}" looks like a git revision, but ${projectRoot} is not in a git repository; compare two folders instead: \`agentpipe diff <old-folder> <new-folder>\``);
  const resolved = commit ?? (await resolveCommit(top, revision, role));
  const prefix = path.relative(await realpath(top), await realpath(projectRoot)).split(path.sep).join('/');
  const tree = await listTree(top, resolved, prefix);
  const strip = prefix ? `${prefix}/` : '';
  const wanted = [...tree].map(([file, object]) => [file.slice(strip.length), object] as const).filter(([file]) => configFile.test(file));
  if (!wanted.some(([file]) => file === 'providers.yaml')) {
    throw new UsageError(`${role} "${revision}" has no ${strip}providers.yaml: it predates this config repo; name an older or newer revision`);
  }
  const blobs = await readBlobs(top, [...new Set(wanted.map(([, object]) => object))]);
  // The files stay in memory; the root is an empty folder (tools resolve their workspace in it),
  // plus the calibration statistics that the estimate reads from the root.
  const folder = await mkdtemp(path.join(tmpdir(), 'agentpipe-diff-'));
  const files = new Map<string, Buffer>();
  for (const [file, object] of wanted) {
    const bytes = blobs.get(object) ?? Buffer.alloc(0);
    if (file === '.agentpipe-stats.json') writeFileSync(path.join(folder, file), bytes);
    else files.set(file, bytes);
  }
  return { label: label ?? `${revision} (${resolved.slice(0, 7)})`, commit: resolved, root: folder, files, dispose: () => rm(folder, { recursive: true, force: true }) };
}

/** The commit id when `revision` is the checked-out commit and the project folder has no change or untracked file. */
async function checkedOutAndClean(projectRoot: string, revision: string): Promise<string | undefined> {
  const top = await gitTopLevel(projectRoot);
  if (top === undefined) return undefined;
  const ids = await git(projectRoot, ['rev-parse', '--verify', '--quiet', '--end-of-options', 'HEAD^{commit}', `${revision}^{commit}`]);
  const [head, wanted] = ids.stdout.trim().split('\n');
  if (ids.code !== 0 || head === undefined || head !== wanted) return undefined;
  const status = await git(projectRoot, ['status', '--porcelain', '--', '.']);
  return status.code === 0 && status.stdout.trim() === '' ? head : undefined;
}

/** Resolves `[BASE] [HEAD]` from the command line; `cwd` is where the command runs. */
export async function resolveSides(base: string | undefined, head: string | undefined, cwd: string): Promise<{ base: Side; head: Side }> {
  const projectRoot = await findRoot(cwd);
  const side = async (spec: string, role: 'BASE' | 'HEAD'): Promise<Side> => {
    const folder = path.resolve(cwd, spec);
    if (await isDirectory(folder)) return folderSide(folder, spec);
    if (projectRoot === undefined) throw new UsageError(`${role} "${spec}" is neither a folder nor usable as a git revision: no providers.yaml in ${cwd} or above it`);
    if (role === 'HEAD') {
      // CI diffs against the commit it checked out: when that is `spec` and nothing in the project
      // differs from it, the working tree is that revision, and is read as it is.
      const clean = await checkedOutAndClean(projectRoot, spec);
      if (clean) return { label: `${spec} (${clean.slice(0, 7)})`, commit: clean, root: projectRoot, dispose: async () => {} };
    }
    return revisionSide(projectRoot, spec, role);
  };
  let baseSide: Side;
  if (base === undefined) {
    if (projectRoot === undefined) throw new UsageError(`no providers.yaml in ${cwd} or any folder above it; run diff inside your config repo, or name two folders`);
    const top = await gitTopLevel(projectRoot);
    if (top === undefined) throw new UsageError(`${projectRoot} is not in a git repository; name two folders: \`agentpipe diff <old> <new>\``);
    const found = await defaultBase(top);
    baseSide = await revisionSide(projectRoot, found.label, 'BASE', found.commit, `${found.label} (${found.commit.slice(0, 7)})`);
  } else {
    baseSide = await side(base, 'BASE');
  }
  try {
    if (head !== undefined) return { base: baseSide, head: await side(head, 'HEAD') };
    if (projectRoot === undefined) throw new UsageError(`HEAD defaults to the working tree, but there is no providers.yaml in ${cwd} or above it`);
    return { base: baseSide, head: { label: 'working tree', root: projectRoot, dispose: async () => {} } };
  } catch (error) {
    await baseSide.dispose();
    throw error;
  }
}
