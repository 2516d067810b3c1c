// read, write and edit. read obeys the `read` rules; write and edit obey the `write` rules.

import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readChecked, writeChecked } from '../open-checked.js';
import { authorizePath, checkSize } from '../permissions.js';
import { ToolFailedError, type BuiltinTool } from '../types.js';

/** Default for tools without their own timeout rule. */
export const fileToolTimeoutMs = 30_000;
const fileToolTimeout = (): number => fileToolTimeoutMs;

function countOccurrences(text: string, search: string): number {
  let count = 0;
  for (let index = text.indexOf(search); index !== -1; index = text.indexOf(search, index + search.length)) count += 1;
  return count;
}

export const readTool: BuiltinTool = {
  name: 'read',
  description: 'Read a UTF-8 text file in the workspace. Optionally return only `limit` lines starting at line `offset` (1-based).',
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'Path relative to the workspace root' },
      offset: { type: 'integer', minimum: 1, description: 'First line to return (1-based)' },
      limit: { type: 'integer', minimum: 1, description: 'Number of lines to return' },
    },
    required: ['path'],
    additionalProperties: false,
  },
  timeoutMs: fileToolTimeout,
  async run(input, runtime) {
    const { path, offset, limit } = input as { path: string; offset?: number; limit?: number };
    const target = await authorizePath(runtime.toolSet, path, 'read');
    // Opened once, then checked on the descriptor: regular file, link count, real path, size.
    const buffer = await readChecked(runtime.toolSet, target, (size) => checkSize(runtime.toolSet.permissions, 'read', size, `"${path}"`));
    if (buffer.includes(0)) throw new ToolFailedError(`"${path}" is a binary file`);
    const text = buffer.toString('utf8');
    if (offset === undefined && limit === undefined) return { output: text };
    const start = (offset ?? 1) - 1;
    return { output: text.split('\n').slice(start, limit === undefined ? undefined : start + limit).join('\n') };
  },
};

export const writeTool: BuiltinTool = {
  name: 'write',
  description: 'Create or overwrite a UTF-8 text file in the workspace, creating parent folders as needed.',
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'Path relative to the workspace root' },
      content: { type: 'string', description: 'The whole new file content' },
    },
    required: ['path', 'content'],
    additionalProperties: false,
  },
  timeoutMs: fileToolTimeout,
  async run(input, runtime) {
    const { path, content } = input as { path: string; content: string };
    const bytes = Buffer.byteLength(content, 'utf8');
    checkSize(runtime.toolSet.permissions, 'write', bytes, 'the content');
    const target = await authorizePath(runtime.toolSet, path, 'write');
    await mkdir(dirname(target.real), { recursive: true });
    await writeChecked(runtime.toolSet, target, content);
    return { output: `wrote ${bytes} bytes to ${target.relative}` };
  },
};

export const editTool: BuiltinTool = {
  name: 'edit',
  description:
    'Replace an exact string in a workspace file. Fails when `old_string` is not found, or is found more than once and `replace_all` is not set.',
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'Path relative to the workspace root' },
      old_string: { type: 'string', minLength: 1, description: 'Exact text to replace, whitespace included' },
      new_string: { type: 'string', description: 'Replacement text' },
      replace_all: { type: 'boolean', description: 'Replace every occurrence (default false)' },
    },
    required: ['path', 'old_string', 'new_string'],
    additionalProperties: false,
  },
  timeoutMs: fileToolTimeout,
  async run(input, runtime) {
    const { path, old_string: oldString, new_string: newString, replace_all: replaceAll = false } = input as {
      path: string;
      old_string: string;
      new_string: string;
      replace_all?: boolean;
    };
    const { permissions } = runtime.toolSet;
    const target = await authorizePath(runtime.toolSet, path, 'write');
    const text = (await readChecked(runtime.toolSet, target, (size) => checkSize(permissions, 'write', size, `"${path}"`), 'write')).toString('utf8');
    const count = countOccurrences(text, oldString);
    if (count === 0) throw new ToolFailedError(`old_string was not found in "${path}"`);
    if (count > 1 && !replaceAll) {
      throw new ToolFailedError(`old_string occurs ${count} times in "${path}"; add surrounding context to make it unique, or set replace_all`);
    }
    // A function replacement keeps `$&` and friends in new_string literal.
    const updated = replaceAll ? text.split(oldString).join(newString) : text.replace(oldString, () => newString);
    checkSize(permissions, 'write', Buffer.byteLength(updated, 'utf8'), 'the edited file');
    await writeChecked(runtime.toolSet, target, updated);
    return { output: `replaced ${replaceAll ? count : 1} occurrence(s) in ${target.relative}` };
  },
};
