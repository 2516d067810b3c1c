// The sandbox corpus: escape and exfiltration attempts, every one denied with a named rule and audited.

import { access, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ToolSet } from '../../src/compile/ir.js';
import { AuditLog } from '../../src/tools/audit.js';
import { executeToolCall } from '../../src/tools/execute.js';
import { auditRecords, call, link, makeSandbox, standardRoutes, startServer, toolSet, type LoopbackServer, type Sandbox } from './helpers.js';

let sandbox: Sandbox;
let server: LoopbackServer;
let set: ToolSet;
let audit: AuditLog;

beforeAll(async () => {
  sandbox = await makeSandbox({
    'README.md': 'readme\n',
    '.env': 'OPENAI_API_KEY=sk-from-dotenv-file-000000\n',
    '.env.local': 'LOCAL=1\n',
    'sub/.env.production': 'PROD=1\n',
    '.git/config': '[core]\n',
    'keys/server.pem': '-----BEGIN PRIVATE KEY-----\n',
    'big.txt': 'y'.repeat(5000),
    'out/keep.txt': 'keep me\n',
  });
  await writeFile(join(sandbox.outside, 'secret.txt'), 'outside secret\n');
  await link(sandbox, join(sandbox.outside, 'secret.txt'), 'link-out');
  await link(sandbox, sandbox.outside, 'linkdir');
  await link(sandbox, join(sandbox.outside, 'secret.txt'), 'out/link-out');
  await link(sandbox, sandbox.outside, 'out/linkdir');
  await link(sandbox, join(sandbox.outside, 'not-yet.txt'), 'out/dangling');
  await link(sandbox, join(sandbox.workspace, '.env'), 'docs/env-alias');
  server = await startServer(standardRoutes);
  // This policy also denies shell metacharacters outright; literal passing is tested in process.test.ts.
  const base = toolSet(sandbox);
  set = { ...base, permissions: { ...base.permissions, bash: { ...base.permissions.bash, deny: [...base.permissions.bash.deny, '*|*', '*;*', '*&&*'] } } };
  audit = new AuditLog(sandbox.auditPath);
});

afterAll(async () => {
  await audit.flush();
  await server.close();
  await sandbox.cleanup();
});

interface Attempt {
  name: string;
  tool: string;
  input: () => Record<string, unknown>;
  /** Substring of the rule the denial must name. */
  rule: string;
}

const attempts: Attempt[] = [
  { name: 'read ../ escape', tool: 'read', input: () => ({ path: '../outside/secret.txt' }), rule: 'workspace' },
  { name: 'read nested ../ escape', tool: 'read', input: () => ({ path: 'docs/../../outside/secret.txt' }), rule: 'workspace' },
  { name: 'read /etc/passwd', tool: 'read', input: () => ({ path: '/etc/passwd' }), rule: 'workspace' },
  { name: 'read an absolute path outside', tool: 'read', input: () => ({ path: join(sandbox.outside, 'secret.txt') }), rule: 'workspace' },
  { name: 'read through a symlink out', tool: 'read', input: () => ({ path: 'link-out' }), rule: 'workspace' },
  { name: 'read through a symlinked directory', tool: 'read', input: () => ({ path: 'linkdir/secret.txt' }), rule: 'workspace' },
  { name: 'read .env', tool: 'read', input: () => ({ path: '.env' }), rule: '.env floor' },
  { name: 'read ./.env by absolute path', tool: 'read', input: () => ({ path: join(sandbox.workspace, '.env') }), rule: '.env floor' },
  { name: 'read .env.local', tool: 'read', input: () => ({ path: '.env.local' }), rule: '.env floor' },
  { name: 'read a nested .env.production', tool: 'read', input: () => ({ path: 'sub/.env.production' }), rule: '.env floor' },
  { name: 'read .ENV in another case', tool: 'read', input: () => ({ path: '.ENV' }), rule: '.env floor' },
  { name: 'read .env through a symlink alias', tool: 'read', input: () => ({ path: 'docs/env-alias' }), rule: '.env floor' },
  { name: 'read .git/config', tool: 'read', input: () => ({ path: '.git/config' }), rule: 'read.deny ".git/**"' },
  { name: 'read a .pem file', tool: 'read', input: () => ({ path: 'keys/server.pem' }), rule: 'read.deny "**/*.pem"' },
  { name: 'read an oversized file', tool: 'read', input: () => ({ path: 'big.txt' }), rule: 'read.max_bytes' },
  { name: 'write ../ escape', tool: 'write', input: () => ({ path: '../escape.txt', content: 'x' }), rule: 'workspace' },
  { name: 'write an absolute path outside', tool: 'write', input: () => ({ path: join(sandbox.outside, 'planted.txt'), content: 'x' }), rule: 'workspace' },
  { name: 'write outside out/**', tool: 'write', input: () => ({ path: 'notes.txt', content: 'x' }), rule: 'write.allow' },
  { name: 'write through a symlink out', tool: 'write', input: () => ({ path: 'out/link-out', content: 'x' }), rule: 'workspace' },
  { name: 'write through a symlinked directory', tool: 'write', input: () => ({ path: 'out/linkdir/planted.txt', content: 'x' }), rule: 'workspace' },
  { name: 'write through a dangling symlink', tool: 'write', input: () => ({ path: 'out/dangling', content: 'x' }), rule: 'workspace' },
  { name: 'write an oversized file', tool: 'write', input: () => ({ path: 'out/big.txt', content: 'z'.repeat(2048) }), rule: 'write.max_bytes' },
  { name: 'write .env', tool: 'write', input: () => ({ path: '.env', content: 'x' }), rule: '.env floor' },
  { name: 'edit outside the write allow list', tool: 'edit', input: () => ({ path: 'README.md', old_string: 'readme', new_string: 'x' }), rule: 'write.allow' },
  { name: 'edit ../ escape', tool: 'edit', input: () => ({ path: '../outside/secret.txt', old_string: 'outside', new_string: 'x' }), rule: 'workspace' },
  { name: 'bash ls ; rm -rf /', tool: 'bash', input: () => ({ argv: ['ls', ';', 'rm', '-rf', '/'] }), rule: 'bash.deny "*rm -rf*"' },
  { name: 'bash $(cat .env)', tool: 'bash', input: () => ({ argv: ['echo', '$(cat .env)'] }), rule: '.env floor' },
  { name: 'bash backticks', tool: 'bash', input: () => ({ argv: ['echo', '`cat .env`'] }), rule: '.env floor' },
  { name: 'bash && sudo', tool: 'bash', input: () => ({ argv: ['ls', '&&', 'sudo', 'id'] }), rule: 'bash.deny' },
  { name: 'bash pipe', tool: 'bash', input: () => ({ argv: ['ls', '|', 'sh'] }), rule: 'bash.deny "*|*"' },
  { name: 'bash newline-hidden rm -rf', tool: 'bash', input: () => ({ argv: ['echo', 'x\nrm -rf out'] }), rule: 'bash.deny "*rm -rf*"' },
  { name: 'bash sudo', tool: 'bash', input: () => ({ argv: ['sudo', 'ls'] }), rule: 'bash.deny "*sudo*"' },
  { name: 'bash rm -rf', tool: 'bash', input: () => ({ argv: ['rm', '-rf', 'out'] }), rule: 'bash.deny "*rm -rf*"' },
  { name: 'bash a command not allowed', tool: 'bash', input: () => ({ argv: ['touch', 'out/pwned'] }), rule: 'bash.allow' },
  { name: 'bash sh -c', tool: 'bash', input: () => ({ argv: ['sh', '-c', 'touch out/pwned'] }), rule: 'bash.allow' },
  { name: 'bash shell string with shell mode off', tool: 'bash', input: () => ({ command: 'ls' }), rule: 'bash.shell' },
  { name: 'bash cat .env', tool: 'bash', input: () => ({ argv: ['cat', './.env'] }), rule: '.env floor' },
  { name: 'a tool that is not allowlisted', tool: 'delete_everything', input: () => ({}), rule: 'tool allowlist' },
  { name: 'http to a host not allowed', tool: 'http', input: () => ({ url: `http://localhost:${server.port}/hello` }), rule: 'http.allow_hosts' },
  { name: 'http redirect to a denied host', tool: 'http', input: () => ({ url: `${server.origin}/to-localhost` }), rule: 'http.allow_hosts' },
  { name: 'http file: URL', tool: 'http', input: () => ({ url: 'file:///etc/passwd' }), rule: 'http.scheme' },
  { name: 'glob ../ escape', tool: 'glob', input: () => ({ pattern: '../outside/**' }), rule: 'workspace' },
  { name: 'grep with an absolute glob', tool: 'grep', input: () => ({ pattern: 'root', glob: '/etc/*' }), rule: 'workspace' },
];

describe('sandbox corpus', () => {
  test('is large enough', () => {
    expect(attempts.length).toBeGreaterThanOrEqual(30);
  });

  test.each(attempts)('$name is denied by $rule', async ({ tool, input, rule }) => {
    const result = await executeToolCall(set, call(tool, input()), { agent: 'tester', stepId: 'corpus', audit });
    expect(result.isError).toBe(true);
    expect(result.output).toMatch(/^Permission denied by /);
    expect(result.output).toContain(rule);
    const last = (await auditRecords(sandbox.auditPath)).at(-1);
    expect(last).toMatchObject({ tool, decision: 'denied', isError: true, step: 'corpus' });
    expect(last?.reason).toContain(rule);
  });

  test('every attempt was audited once, as denied', async () => {
    const records = await auditRecords(sandbox.auditPath);
    expect(records).toHaveLength(attempts.length);
    expect(records.every((record) => record.decision === 'denied')).toBe(true);
  });

  test('nothing outside the workspace or in it was touched', async () => {
    expect((await readdir(sandbox.outside)).sort()).toEqual(['secret.txt']);
    expect(await readFile(join(sandbox.outside, 'secret.txt'), 'utf8')).toBe('outside secret\n');
    expect(await readFile(join(sandbox.workspace, 'out/keep.txt'), 'utf8')).toBe('keep me\n');
    expect(await readFile(join(sandbox.workspace, '.env'), 'utf8')).toContain('OPENAI_API_KEY');
    await expect(access(join(sandbox.workspace, 'out/pwned'))).rejects.toThrow();
    await expect(access(join(sandbox.workspace, 'notes.txt'))).rejects.toThrow();
    // The denied redirect target was never contacted.
    expect(server.requests).toEqual([`GET 127.0.0.1:${server.port} /to-localhost`]);
  });
});
