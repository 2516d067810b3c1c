// File tools against links, races, FIFOs and a catastrophic regex: nothing outside the workspace is
// read or written, nothing hangs, and a pathological grep stops when its signal fires.

import { execFileSync } from 'node:child_process';
import { link as hardLink, mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { authorizePath } from '../../src/tools/permissions.js';
import { readChecked, writeChecked } from '../../src/tools/open-checked.js';
import { ToolDeniedError } from '../../src/tools/types.js';
import { makeSandbox, permissions, run, toolSet, type Sandbox } from '../tools/helpers.js';

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await makeSandbox({ 'docs/a.txt': 'hello\n', 'out/keep.txt': 'mine\n' });
  await writeFile(join(sandbox.outside, 'secret.txt'), 'OUTSIDE SECRET\n');
});
afterEach(() => sandbox.cleanup());

describe('hard links', () => {
  test('a hard link to a file outside is refused for read, write and edit; the outside file is untouched', async () => {
    await hardLink(join(sandbox.outside, 'secret.txt'), join(sandbox.workspace, 'out/link.txt'));
    const set = toolSet(sandbox);
    for (const [tool, input] of [['read', { path: 'out/link.txt' }], ['write', { path: 'out/link.txt', content: 'x' }], ['edit', { path: 'out/link.txt', old_string: 'OUTSIDE', new_string: 'x' }], ['grep', { pattern: 'SECRET' }]] as const) {
      const result = await run(set, sandbox, tool, input);
      expect(result.output).not.toContain('OUTSIDE SECRET');
      if (tool !== 'grep') expect(result.output).toMatch(/hard link/);
    }
    expect(await readFile(join(sandbox.outside, 'secret.txt'), 'utf8')).toBe('OUTSIDE SECRET\n');
  });

  test('hard_links: true in the rules allows them', async () => {
    await hardLink(join(sandbox.workspace, 'docs/a.txt'), join(sandbox.workspace, 'docs/b.txt'));
    const base = permissions();
    const set = toolSet(sandbox, { read: { ...base.read, hardLinks: true } });
    expect((await run(set, sandbox, 'read', { path: 'docs/b.txt' })).output).toBe('hello\n');
  });
});

describe('non-regular files', () => {
  test('a FIFO is refused by read, write, edit and skipped by grep, and nothing hangs', async () => {
    execFileSync('mkfifo', [join(sandbox.workspace, 'out/pipe')]);
    const set = toolSet(sandbox);
    for (const [tool, input] of [['read', { path: 'out/pipe' }], ['write', { path: 'out/pipe', content: 'x' }], ['edit', { path: 'out/pipe', old_string: 'a', new_string: 'b' }]] as const) {
      const result = await run(set, sandbox, tool, input);
      expect(result.isError).toBe(true);
      expect(result.output).toMatch(/not a regular file/);
    }
    expect((await run(set, sandbox, 'grep', { pattern: 'hello' })).output).toContain('docs/a.txt:1: hello');
  });
});

describe('a folder swapped for a symlink after the check', () => {
  test('the descriptor path check refuses the read and the write', async () => {
    await mkdir(join(sandbox.workspace, 'out/sub'));
    await writeFile(join(sandbox.workspace, 'out/sub/secret.txt'), 'inside\n');
    await mkdir(join(sandbox.outside, 'sub'));
    await writeFile(join(sandbox.outside, 'sub/secret.txt'), 'OUTSIDE SECRET\n');
    const set = toolSet(sandbox);
    const readTarget = await authorizePath(set, 'out/sub/secret.txt', 'read');
    const writeTarget = await authorizePath(set, 'out/sub/secret.txt', 'write');
    // The race, won by the attacker every time: swap after the check, before the open.
    await rename(join(sandbox.workspace, 'out/sub'), join(sandbox.workspace, 'out/sub-old'));
    await symlink(join(sandbox.outside, 'sub'), join(sandbox.workspace, 'out/sub'));
    await expect(readChecked(set, readTarget, () => undefined)).rejects.toBeInstanceOf(ToolDeniedError);
    await expect(writeChecked(set, writeTarget, 'overwritten')).rejects.toBeInstanceOf(ToolDeniedError);
    expect(await readFile(join(sandbox.outside, 'sub/secret.txt'), 'utf8')).toBe('OUTSIDE SECRET\n');
  });
});

describe('a catastrophic regex', () => {
  test('grep on ^(a+)+$ against 34 a\'s and ! is stopped by the signal long before it would end', async () => {
    await writeFile(join(sandbox.workspace, 'docs/evil.txt'), `${'a'.repeat(34)}!\n`);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 300);
    const result = await run(toolSet(sandbox), sandbox, 'grep', { pattern: '^(a+)+$' }, { signal: controller.signal });
    expect(result.isError).toBe(true);
    expect(result.output).toContain('cancelled');
    // The backtracking takes minutes; the call ends within a generous bound of the abort.
    expect(Date.now() - started).toBeLessThan(15_000);
    // The event loop was free all along: a timer set now fires at once.
    await new Promise((resolve) => setTimeout(resolve, 1));
  });

  test('a catastrophic glob pattern (glob tool, and grep\'s glob) is stopped by the signal too', async () => {
    await writeFile(join(sandbox.workspace, 'docs', 'a'.repeat(200)), 'x\n');
    const pattern = `docs/${'*a'.repeat(8)}*b`;
    for (const [tool, input] of [['glob', { pattern }], ['grep', { pattern: 'x', glob: pattern }]] as const) {
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 300);
      const result = await run(toolSet(sandbox), sandbox, tool, input, { signal: controller.signal });
      expect(result.output).toContain('cancelled');
      expect(Date.now() - started).toBeLessThan(15_000);
    }
  });

  test('an ordinary glob still works through the worker', async () => {
    expect((await run(toolSet(sandbox), sandbox, 'glob', { pattern: 'docs/*.txt' })).output).toBe('docs/a.txt');
  });

  test('an ordinary grep still works through the worker, case-insensitively', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'grep', { pattern: 'HELLO', ignore_case: true });
    expect(result.output).toBe('docs/a.txt:1: hello');
  });

  test('an invalid pattern is an error result naming the problem', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'grep', { pattern: '(' });
    expect(result.output).toContain('invalid regular expression');
  });
});
