// narrowPermissions, the rule checks on their own, redaction and the audit log.

import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AuditLog } from '../../src/tools/audit.js';
import { checkCommand, checkHost, narrowPermissions } from '../../src/tools/permissions.js';
import { redactSecrets, redactValue } from '../../src/tools/redact.js';
import { ToolDeniedError } from '../../src/tools/types.js';
import { auditRecords, makeSandbox, permissions, type Sandbox } from './helpers.js';

describe('narrowPermissions', () => {
  const defaults = permissions();

  test('without an override the defaults pass through unchanged', () => {
    expect(narrowPermissions(defaults, undefined)).toEqual({ permissions: defaults, violations: [] });
  });

  test('an agent can narrow allow lists, add denies and lower caps', () => {
    const { permissions: narrowed, violations } = narrowPermissions(defaults, {
      read: { allow: ['docs/**', 'README.md'], deny: ['docs/private/**'], maxBytes: 512 },
      write: { allow: ['out/reports/**'] },
      bash: { allow: ['ls -la', 'echo hello*'], env: ['PATH'], timeoutMs: 1000 },
      http: { allowHosts: ['127.0.0.1'], maxRedirects: 1 },
    });
    expect(violations).toEqual([]);
    expect(narrowed.read).toEqual({ allow: ['docs/**', 'README.md'], deny: ['**/*.pem', '.git/**', 'docs/private/**'], maxBytes: 512 });
    expect(narrowed.write.allow).toEqual(['out/reports/**']);
    expect(narrowed.bash).toMatchObject({ allow: ['ls -la', 'echo hello*'], env: ['PATH'], timeoutMs: 1000, deny: defaults.bash.deny });
    expect(narrowed.http).toMatchObject({ allowHosts: ['127.0.0.1'], maxRedirects: 1, timeoutMs: defaults.http.timeoutMs });
  });

  test('every widening attempt is dropped and reported', () => {
    const { permissions: narrowed, violations } = narrowPermissions(defaults, {
      write: { allow: ['**', 'out/ok/**', 'src/*.ts'], maxBytes: 10_000 },
      bash: { allow: ['rm *', 'ls*'], env: ['PATH', 'AWS_SECRET_ACCESS_KEY'], shell: true, timeoutMs: 999_999 },
      http: { allowHosts: ['*', 'evil.example'], maxBytes: 1 },
    });
    expect(violations.map((violation) => violation.field)).toEqual([
      'write.allow',
      'write.allow',
      'write.maxBytes',
      'bash.env',
      'bash.shell',
      'bash.allow',
      'bash.timeoutMs',
      'http.allowHosts',
      'http.allowHosts',
    ]);
    expect(violations[0]?.message).toContain('"**" is not within the defaults (out/**)');
    expect(narrowed.write).toEqual({ allow: ['out/ok/**'], deny: [], maxBytes: 1024 });
    expect(narrowed.bash).toMatchObject({ allow: ['ls*'], env: ['PATH'], shell: false, timeoutMs: defaults.bash.timeoutMs });
    expect(narrowed.http).toMatchObject({ allowHosts: [], maxBytes: 1 });
  });

  test('subset proofs for path, suffix and host patterns', () => {
    const wide = permissions({
      read: { allow: ['**/*.md'], deny: [], maxBytes: 1 },
      http: { allowHosts: ['*.wikipedia.org'], denyHosts: [], timeoutMs: 1, maxBytes: 1, maxRedirects: 0 },
    });
    const { permissions: narrowed, violations } = narrowPermissions(wide, {
      read: { allow: ['docs/**/*.md', 'guide.md', 'docs/*.txt'] },
      http: { allowHosts: ['en.wikipedia.org', '*.de.wikipedia.org', 'wikipedia.org.evil.test'] },
    });
    expect(narrowed.read.allow).toEqual(['docs/**/*.md', 'guide.md']);
    expect(narrowed.http.allowHosts).toEqual(['en.wikipedia.org', '*.de.wikipedia.org']);
    expect(violations.map((violation) => violation.value)).toEqual(['docs/*.txt', 'wikipedia.org.evil.test']);
  });
});

describe('rule checks', () => {
  const rules = permissions();

  test('bash patterns match the argv joined by spaces, with * spanning anything', () => {
    expect(() => checkCommand(rules.bash, ['ls', '-la', 'src/deep/dir'])).not.toThrow();
    expect(() => checkCommand(rules.bash, ['git', 'push'])).toThrow(ToolDeniedError);
    expect(() => checkCommand(rules.bash, ['echo', 'a', 'SUDO'])).not.toThrow();
    expect(() => checkCommand(rules.bash, ['echo', 'please', 'sudo', 'now'])).toThrow('bash.deny "*sudo*"');
  });

  test('host checks are case-insensitive and ignore a trailing dot', () => {
    const http = { ...rules.http, allowHosts: ['*.wikipedia.org'] };
    expect(() => checkHost(http, 'EN.Wikipedia.org.')).not.toThrow();
    expect(() => checkHost(http, 'wikipedia.org')).toThrow('http.allow_hosts');
    expect(() => checkHost(http, 'wikipedia.org.evil.test')).toThrow('http.allow_hosts');
  });
});

describe('redactSecrets', () => {
  const env = { OPENAI_API_KEY: 'abc123-real-looking-secret', DB_PASSWORD: 'hunter2-long', PATH: '/usr/bin', SHORT_TOKEN: 'abc' };

  test('replaces secret env values and key-shaped strings, keeps the rest', () => {
    const text = 'key abc123-real-looking-secret pw hunter2-long path /usr/bin sk-ant-api03-abcdefghijklmnopqrstu AIzaSyA1234567890abcdefghijklmnopqrstuv Authorization: Bearer eyJhbGciOi.abc';
    expect(redactSecrets(text, env)).toBe('key [REDACTED] pw [REDACTED] path /usr/bin [REDACTED] [REDACTED] Authorization: Bearer [REDACTED]');
  });

  test('short values are not treated as secrets', () => {
    expect(redactSecrets('abc is fine', env)).toBe('abc is fine');
  });

  test('redactValue walks objects and arrays', () => {
    expect(redactValue({ argv: ['echo', 'abc123-real-looking-secret'], n: 3 }, env)).toEqual({ argv: ['echo', '[REDACTED]'], n: 3 });
  });
});

describe('AuditLog', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await makeSandbox();
  });
  afterEach(() => sandbox.cleanup());

  test('writes one redacted JSON line per call, in order, creating the folder', async () => {
    const env = { ANTHROPIC_API_KEY: 'anthropic-secret-value-123' };
    const log = new AuditLog(sandbox.auditPath, env);
    const base = { time: '2026-01-01T00:00:00.000Z', agent: 'a', step: 's', toolCallId: 'c', isError: false, durationMs: 1, outputBytes: 0 };
    void log.append({ ...base, tool: 'one', arguments: { key: 'anthropic-secret-value-123' }, decision: 'allowed' });
    void log.append({ ...base, tool: 'two', arguments: {}, decision: 'denied', reason: 'saw anthropic-secret-value-123' });
    await log.flush();
    const records = await auditRecords(sandbox.auditPath);
    expect(records.map((record) => record.tool)).toEqual(['one', 'two']);
    expect(records[0]?.arguments).toEqual({ key: '[REDACTED]' });
    expect(records[1]?.reason).toBe('saw [REDACTED]');
    expect(await readFile(sandbox.auditPath, 'utf8')).not.toContain('anthropic-secret-value-123');
  });
});
