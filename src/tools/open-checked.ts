// Opening a workspace file so that no race or link beats the path check. resolveWorkspacePath checks
// the path; between that check and the open, a parent folder can be swapped for a symlink, and a hard
// link passes every path check while being the same file as one outside. So after opening:
//  - the descriptor must be a regular file (a FIFO would block a read or write forever, a device
//    could be anything); O_NONBLOCK makes the open itself return at once for a FIFO;
//  - its link count must be 1 unless the rules allow hard links;
//  - its real path, read back from /proc/self/fd/N, must be inside the workspace and pass the rules.

import { constants } from 'node:fs';
import { open, readlink, type FileHandle } from 'node:fs/promises';
import type { ToolSet } from '../compile/ir.js';
import { checkPathRules } from './permissions.js';
import { insideRoot, realWorkspace, type PathAccess, type WorkspacePath } from './paths.js';
import { ToolDeniedError, ToolFailedError } from './types.js';

const readFlags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
/** No O_TRUNC: a file is emptied only after it passed every check (a hard link must not be truncated). */
const writeFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error ? String(error.code) : undefined;
}

/** Where the descriptor really points, or undefined where /proc is not mounted (then the pre-open check stands alone). */
async function descriptorPath(handle: FileHandle): Promise<string | undefined> {
  try {
    return await readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    return undefined;
  }
}

/** `access` names the rules the file is checked against; `mode` how it is opened (edit reads under the write rules). */
export async function openChecked(toolSet: ToolSet, target: WorkspacePath, access: PathAccess, mode: PathAccess = access): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(target.real, mode === 'read' ? readFlags : writeFlags, 0o644);
  } catch (error) {
    const code = errorCode(error);
    // ENXIO: a FIFO with no reader, opened for writing without blocking. ELOOP: a symlink swapped in.
    if (code === 'ENXIO') throw new ToolFailedError(`"${target.requested}" is not a regular file (a FIFO or socket)`);
    if (code === 'ELOOP') throw new ToolDeniedError('workspace', `"${target.requested}" became a symlink after it was checked`);
    if (code === 'ENOENT') throw new ToolFailedError(`no such file: "${target.requested}"`);
    throw new ToolFailedError(`cannot open "${target.requested}": ${code ?? String(error)}`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new ToolFailedError(`"${target.requested}" is not a regular file${stats.isFIFO() ? ' (a FIFO)' : stats.isDirectory() ? ' (a folder)' : ''}`);
    const rules = toolSet.permissions[access];
    if (stats.nlink > 1 && rules.hardLinks !== true) {
      throw new ToolDeniedError(`${access}.hard_links`, `"${target.requested}" has ${stats.nlink} hard links, so it may be a file outside the workspace; set ${access}.hard_links: true in tools.yaml to allow it`);
    }
    const real = await descriptorPath(handle);
    if (real !== undefined) {
      const relative = insideRoot(await realWorkspace(toolSet.workspace), real);
      if (relative === undefined) throw new ToolDeniedError('workspace', `"${target.requested}" was opened outside the workspace (a folder on its path was swapped for a link)`);
      checkPathRules(toolSet.permissions, access, [relative]);
    }
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The whole file, read through a checked descriptor; `maxBytes` is checked on the open file. */
export async function readChecked(toolSet: ToolSet, target: WorkspacePath, onSize: (bytes: number) => void, access: PathAccess = 'read'): Promise<Buffer> {
  const handle = await openChecked(toolSet, target, access, 'read');
  try {
    onSize((await handle.stat()).size);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** Replaces the file's content through a checked descriptor (emptied only after the checks). */
export async function writeChecked(toolSet: ToolSet, target: WorkspacePath, content: string): Promise<void> {
  const handle = await openChecked(toolSet, target, 'write');
  try {
    await handle.truncate(0);
    await handle.writeFile(content, 'utf8');
  } finally {
    await handle.close();
  }
}
