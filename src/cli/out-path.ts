// Files that agentpipe writes by a rename (batch --out, run --record) replace whatever is at their
// path: a folder fails only at the end, and a device or FIFO (/dev/null, /dev/stdout) would itself be
// replaced, by root even in /dev. Such paths are refused before anything runs.

import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UsageError } from '../errors.js';

/** Throws a one-line UsageError unless `path` is absent or a regular file (symlinks followed). */
export async function checkReplaceableFile(flag: string, given: string, path: string, example: string): Promise<void> {
  const found = await stat(path).catch(() => undefined);
  if (!found || found.isFile()) return;
  const folder = found.isDirectory();
  const what = folder ? 'a folder' : 'not a regular file (a device, FIFO or socket)';
  throw new UsageError(`${flag} ${given} is ${what}; it names a file that agentpipe replaces: give a file path, e.g. ${flag} ${folder ? join(given, example) : basename(example)}`);
}
