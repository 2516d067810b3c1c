// bash and command tools: real subprocesses in a temp workspace.

import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { ToolSpec } from '../../src/compile/ir.js';
import { toolDefinitions } from '../../src/tools/registry.js';
import { requireCommands } from '../support/system.js';
import { auditRecords, makeSandbox, run, toolSet, type Sandbox } from './helpers.js';

// Every command runs in the OS sandbox (bubblewrap); without it bash and command tools are refused.
const hasSandbox = requireCommands('bash and command tools (OS sandbox)', { bwrap: 'bubblewrap' });

const fakeKey = 'fake-parent-key-0123456789abcdef';
const fakeToken = 'fake-github-token-abcdef0123456789';
const node = process.execPath;
const printArgv = 'console.log(JSON.stringify(process.argv.slice(1)))';

let sandbox: Sandbox;

beforeAll(() => {
  process.env.FAKE_API_KEY = fakeKey;
  process.env.GITHUB_TOKEN = fakeToken;
  process.env.SAFE_VAR = 'visible-value';
});

afterAll(() => {
  delete process.env.FAKE_API_KEY;
  delete process.env.GITHUB_TOKEN;
  delete process.env.SAFE_VAR;
});

beforeEach(async () => {
  sandbox = await makeSandbox({ 'README.md': 'readme\n', '.env': 'X=1\n' });
});

afterEach(() => sandbox.cleanup());

describe.skipIf(!hasSandbox)('bash', () => {
  test('runs an allowed argv in the workspace', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'bash', { argv: ['ls', '-a'] });
    expect(result.isError).toBeUndefined();
    expect(result.output).toContain('README.md');
    expect(result.output).toContain('(exit code 0)');
    expect((await auditRecords(sandbox.auditPath))[0]).toMatchObject({ tool: 'bash', decision: 'allowed' });
  });

  test('a non-zero exit is an error result with stderr', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'bash', { argv: [node, '-e', 'console.error("boom"); process.exit(3)'] });
    expect(result.isError).toBe(true);
    expect(result.output).toContain('--- stderr ---\nboom');
    expect(result.output).toContain('(exit code 3)');
  });

  test.each([
    ['semicolon', 'ls ; touch pwned'],
    ['command substitution', '$(touch pwned)'],
    ['backticks', '`touch pwned`'],
    ['and-list', '&& touch pwned'],
    ['pipe', '| touch pwned'],
  ])('shell syntax (%s) is one literal argument, never interpreted', async (_name, payload) => {
    const result = await run(toolSet(sandbox), sandbox, 'bash', { argv: ['echo', payload] });
    expect(result.output).toBe(`${payload}\n(exit code 0)`);
    await expect(access(join(sandbox.workspace, 'pwned'))).rejects.toThrow();
  });

  test('shell mode runs a command string only when the policy turns it on', async () => {
    const base = toolSet(sandbox);
    const shellSet = { ...base, permissions: { ...base.permissions, bash: { ...base.permissions.bash, shell: true } } };
    const result = await run(shellSet, sandbox, 'bash', { command: 'echo one && echo two' });
    expect(result.output).toBe('one\ntwo\n(exit code 0)');
  });

  test.each([['printenv'], ['env']])('%s cannot see API keys from the parent, even when listed in bash.env', async (program) => {
    const result = await run(toolSet(sandbox), sandbox, 'bash', { argv: [program] });
    expect(result.output).toContain('SAFE_VAR=visible-value');
    expect(result.output).not.toContain(fakeKey);
    expect(result.output).not.toContain(fakeToken);
    expect(result.output).not.toContain('FAKE_API_KEY');
    expect(result.output).not.toContain('GITHUB_TOKEN');
  });

  test('a timeout kills the process and returns an error result', async () => {
    const base = toolSet(sandbox);
    const slow = { ...base, permissions: { ...base.permissions, bash: { ...base.permissions.bash, timeoutMs: 300 } } };
    const result = await run(slow, sandbox, 'bash', { argv: [node, '-e', 'setTimeout(() => {}, 60000)'] });
    expect(result.isError).toBe(true);
    expect(result.output).toMatch(/timed out after 300 ms|killed after 300 ms timeout/);
  });

  test('output over the cap is truncated', async () => {
    const base = toolSet(sandbox);
    const capped = { ...base, permissions: { ...base.permissions, bash: { ...base.permissions.bash, maxOutputBytes: 1000 } } };
    const result = await run(capped, sandbox, 'bash', { argv: [node, '-e', 'process.stdout.write("x".repeat(100000))'] });
    expect(result.output).toContain('(output truncated at 1000 bytes; process killed)');
    expect(result.output.split('x').length - 1).toBe(1000);
  });
});

const grepTool: ToolSpec = {
  kind: 'command',
  name: 'show_args',
  description: 'Print the argv it receives',
  command: [node, '-e', printArgv, '--', '--pattern={{pattern}}', '{{pattern}}', '{{flag}}'],
  parameters: { type: 'object', properties: { pattern: { type: 'string' }, flag: { type: 'string' } }, required: ['pattern'] },
};

describe.skipIf(!hasSandbox)('command tools', () => {
  test('each placeholder fills exactly one argv element, literally', async () => {
    const payload = 'a b; touch pwned $(touch pwned) `touch pwned` | cat {{flag}}';
    const result = await run(toolSet(sandbox, {}, [grepTool]), sandbox, 'show_args', { pattern: payload, flag: '-v' });
    expect(result.isError).toBeUndefined();
    const argv = JSON.parse(result.output.split('\n')[0] ?? '') as string[];
    expect(argv).toEqual([`--pattern=${payload}`, payload, '-v']);
    await expect(access(join(sandbox.workspace, 'pwned'))).rejects.toThrow();
  });

  test('an absent optional placeholder drops its element', async () => {
    const result = await run(toolSet(sandbox, {}, [grepTool]), sandbox, 'show_args', { pattern: 'x' });
    expect(JSON.parse(result.output.split('\n')[0] ?? '')).toEqual(['--pattern=x', 'x']);
  });

  test('parameters that fail the schema are rejected and nothing runs', async () => {
    const writer: ToolSpec = { ...grepTool, name: 'writer', command: [node, '-e', 'require("fs").writeFileSync("ran", "")', '{{pattern}}'] };
    const result = await run(toolSet(sandbox, {}, [writer]), sandbox, 'writer', { pattern: 42 });
    expect(result.isError).toBe(true);
    expect(result.output).toContain('invalid arguments for writer: /pattern must be string');
    await expect(access(join(sandbox.workspace, 'ran'))).rejects.toThrow();
  });

  test('the bash deny list still applies to filled commands', async () => {
    const result = await run(toolSet(sandbox, {}, [grepTool]), sandbox, 'show_args', { pattern: 'sudo' });
    expect(result.output).toContain('Permission denied by bash.deny "*sudo*"');
    expect((await auditRecords(sandbox.auditPath))[0]?.decision).toBe('denied');
  });

  test('toolDefinitions exposes builtins and command tools with their schemas', () => {
    const definitions = toolDefinitions(toolSet(sandbox, {}, [grepTool]));
    expect(definitions.map((definition) => definition.name)).toEqual(['read', 'write', 'edit', 'glob', 'grep', 'bash', 'http', 'web_search', 'show_args']);
    expect(definitions.at(-1)).toEqual({ name: 'show_args', description: 'Print the argv it receives', inputSchema: grepTool.parameters });
    expect(definitions[0]?.inputSchema).toMatchObject({ type: 'object', required: ['path'] });
  });
});

describe.skipIf(!hasSandbox)('audit redaction', () => {
  test('a fake API key set in env and passed as an argument never reaches audit.jsonl', async () => {
    const set = toolSet(sandbox);
    await run(set, sandbox, 'bash', { argv: ['echo', fakeKey] });
    await run(set, sandbox, 'write', { path: 'out/key.txt', content: `key=${fakeKey}` });
    await run(set, sandbox, 'write', { path: 'notes.txt', content: `token ${fakeToken}` });
    await run(set, sandbox, 'http', { url: 'http://127.0.0.1:9/', headers: { authorization: 'Bearer abcdefghijklmnop1234' } });
    await run(set, sandbox, 'read', { path: 'sk-proj-abcdefghijklmnopqrstuvwxyz' });
    const text = await readFile(sandbox.auditPath, 'utf8');
    expect(text.trim().split('\n')).toHaveLength(5);
    expect(text).not.toContain(fakeKey);
    expect(text).not.toContain(fakeToken);
    expect(text).not.toContain('abcdefghijklmnop1234');
    expect(text).not.toContain('sk-proj-abcdefghijklmnopqrstuvwxyz');
    expect(text).toContain('[REDACTED]');
  });

  test('tool output shown to the model is redacted too', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'bash', { argv: ['echo', fakeKey] });
    expect(result.output).toBe('[REDACTED]\n(exit code 0)');
  });
});
