// The tool test helpers close the audit log they open for a call, so no file handle is left for the
// garbage collector (Node's DEP0137 "Closing a FileHandle object on garbage collection" warning).
import { readdir, readlink } from 'node:fs/promises';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { auditRecords, makeSandbox, run, toolSet, type Sandbox } from './helpers.js';

async function openHandlesOn(path: string): Promise<number> {
  let count = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target === path) count += 1;
  }
  return count;
}

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await makeSandbox({ 'notes.txt': 'hello' });
});
afterEach(() => sandbox.cleanup());

test.skipIf(process.platform !== 'linux')('run() writes the audit line and leaves no handle open on the audit file', async () => {
  const result = await run(toolSet(sandbox), sandbox, 'read', { path: 'notes.txt' });
  expect(result.output).toContain('hello');
  expect((await auditRecords(sandbox.auditPath)).map((record) => record.tool)).toEqual(['read']);
  expect(await openHandlesOn(sandbox.auditPath)).toBe(0);
});
