// The git CLI, run without a shell. Everything `diff` needs from git goes through here: resolving
// revisions, the merge base with the default branch, and reading a revision's config files in one
// `git cat-file --batch` process (no checkout, the index and work tree are never touched).

import { execFile, spawn } from 'node:child_process';
import { UsageError } from '../errors.js';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function git(cwd: string, args: string[]): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 127) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The top of the work tree holding `folder`, or undefined when it is not in a git repository. */
export async function gitTopLevel(folder: string): Promise<string | undefined> {
  const result = await git(folder, ['rev-parse', '--show-toplevel']);
  return result.code === 0 ? result.stdout.trim() : undefined;
}

export async function isShallow(cwd: string): Promise<boolean> {
  const result = await git(cwd, ['rev-parse', '--is-shallow-repository']);
  return result.stdout.trim() === 'true';
}

/** `revision` as a commit id, or a UsageError (exit 2) that says how to fetch it. */
export async function resolveCommit(cwd: string, revision: string, role: 'BASE' | 'HEAD'): Promise<string> {
  if (revision.startsWith('-')) throw new UsageError(`${role} "${revision}" is not a revision`);
  const result = await git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`]);
  if (result.code === 0) return result.stdout.trim();
  const shallow = await isShallow(cwd);
  const hint = shallow
    ? `this is a shallow clone: fetch it (\`git fetch --depth=100 origin ${revision.replace(/^origin\//, '')}\`), or check out with \`fetch-depth: 0\``
    : `check the name (\`git branch -a\`), or \`git fetch origin\` first`;
  throw new UsageError(`${role} "${revision}" is not a commit in this repository; ${hint}`);
}

/** The default branch: origin's HEAD when known, else the first of main, master, origin/main, origin/master. */
export async function defaultBranch(cwd: string): Promise<string | undefined> {
  const symbolic = await git(cwd, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD']);
  if (symbolic.code === 0 && symbolic.stdout.trim()) return symbolic.stdout.trim();
  for (const candidate of ['main', 'master', 'origin/main', 'origin/master']) {
    const result = await git(cwd, ['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`]);
    if (result.code === 0) return candidate;
  }
  return undefined;
}

/** The merge base of HEAD with the default branch; a UsageError naming the fix when there is none. */
export async function defaultBase(cwd: string): Promise<{ commit: string; label: string }> {
  const branch = await defaultBranch(cwd);
  if (branch === undefined) throw new UsageError('no default branch (main, master or origin/HEAD) to compare with; name BASE: `agentpipe diff <base> [head]`');
  const result = await git(cwd, ['merge-base', 'HEAD', branch]);
  if (result.code === 0) return { commit: result.stdout.trim(), label: `merge-base(HEAD, ${branch})` };
  const shallow = await isShallow(cwd);
  throw new UsageError(
    `HEAD and ${branch} have no merge base in this clone${shallow ? ' (a shallow checkout: fetch more history with `git fetch --deepen=100`, or use `fetch-depth: 0`)' : ''}; or name BASE: \`agentpipe diff ${branch} HEAD\``,
  );
}

/** The files under `prefix` (a folder of the repo, `''` for its top) at `commit`: path -> blob id. */
export async function listTree(cwd: string, commit: string, prefix: string): Promise<Map<string, string>> {
  const args = ['ls-tree', '-r', '-z', '--full-tree', commit];
  if (prefix) args.push('--', prefix);
  const result = await git(cwd, args);
  if (result.code !== 0) throw new UsageError(`git ls-tree ${commit} failed: ${result.stderr.trim().split('\n')[0] ?? ''}`);
  const files = new Map<string, string>();
  for (const entry of result.stdout.split('\0')) {
    // `<mode> <type> <object>\t<path>`; submodules (commit) and links are not config files.
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, object] = entry.slice(0, tab).split(' ');
    if (type !== 'blob' || mode === '120000' || object === undefined) continue;
    files.set(entry.slice(tab + 1), object);
  }
  return files;
}

/** The contents of many blobs through one `git cat-file --batch`. */
export function readBlobs(cwd: string, objects: string[]): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new UsageError(`git cat-file failed (exit ${code})`));
      const output = Buffer.concat(chunks);
      const blobs = new Map<string, Buffer>();
      let offset = 0;
      while (offset < output.length) {
        const newline = output.indexOf(10, offset);
        if (newline < 0) break;
        const [object, , size] = output.subarray(offset, newline).toString('utf8').split(' ');
        const length = Number(size);
        if (object === undefined || !Number.isFinite(length)) break;
        blobs.set(object, output.subarray(newline + 1, newline + 1 + length));
        offset = newline + 1 + length + 1;
      }
      resolve(blobs);
    });
    child.stdin.end(objects.map((object) => `${object}\n`).join(''));
  });
}
