import { describe, expect, test } from 'vitest';
import { CompileDiagnostics } from '../../src/compile/diagnostics.js';
import { findSecrets, redactDiagnostic, redactSecrets } from '../../src/secrets.js';

// Made-up keys of each vendor's shape (none is real).
const keys: Array<[string, string]> = [
  ['sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', 'sk-ant-'],
  ['sk-proj-Ab3dEfGhIjKlMnOpQrStUvWxYz0123456789_-x', 'sk-proj-'],
  ['sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef', 'sk-or-v1-'],
  ['sk-0123456789abcdef0123456789abcdef', 'sk-'],
  ['sk-T3BlbkFJAbCdEfGhIjKlMnOpQrStUvWxYz012345678901', 'sk-'],
  ['AKIAIOSFODNN7EXAMPL3', 'AKIA'],
  ['ASIAY34FZKBOKMUTVV7A', 'ASIA'],
  ['AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW', 'AIza'],
  ['ghp_0123456789abcdefghijABCDEFGHIJ012345', 'ghp_'],
  ['gho_0123456789abcdefghijABCDEFGHIJ012345', 'gho_'],
  ['github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ', 'github_pat_'],
  ['xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', 'xoxb-'],
  ['xoxp-123456789012-123456789012-123456789012-0123456789abcdef', 'xoxp-'],
  ['hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567', 'hf_'],
  ['glpat-AbCdEfGh0123456789xy', 'glpat-'],
  ['sk_live_51AbCdEfGhIjKlMnOpQrStUv', 'sk_live_'],
  ['gsk_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKl', 'gsk_'],
];

// Ordinary words, slugs, env var names and placeholders that share a prefix with a key shape.
const plainTexts = [
  'Use scikit-learn (sk-learn) for the baseline.',
  'sk-learn-compatible-estimators-and-transformers',
  'the task-ant-colony-optimisation-algorithm-paper',
  'api_key_env: ANTHROPIC_API_KEY',
  'AKIA is the prefix of an AWS access key; AKIAEXAMPLE is too short.',
  'AKIAIOSFODNN7example (lowercase is not a key)',
  'ASIAN markets, ASIA-PACIFIC',
  'AIza is how Google keys start',
  'ghp_ and gho_ prefixes; ghp_short',
  'github_pat_ tokens are long',
  'xoxb-your-bot-token-here',
  'hf_hub_download(repo_id="gpt2")',
  'hf_transfer is a package',
  'glpat-xxxx',
  'BEGIN PRIVATE KEY is what a PEM file says',
  'desk-0123456789abcdefghijk (not sk- at a word start)',
];

describe('the secret detector', () => {
  test.each(keys)('finds %s and shows only %s', (key, label) => {
    const text = `  header: "${key}"  # pasted`;
    expect(findSecrets(text)).toEqual([{ index: 11, length: key.length, label }]);
    expect(redactSecrets(text)).toBe(`  header: "${label}…"  # pasted`);
  });

  test.each(plainTexts)('leaves plain text alone: %s', (text) => {
    expect(findSecrets(text)).toEqual([]);
    expect(redactSecrets(text)).toBe(text);
  });

  test('a PEM private key header is found', () => {
    expect(findSecrets('key: |\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIE...')[0]?.label).toBe('-----BEGIN RSA PRIVATE KEY-----');
  });

  test('each key is reported once, by its most specific shape', () => {
    const text = 'a sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 b AKIAIOSFODNN7EXAMPL3';
    expect(findSecrets(text).map((match) => match.label)).toEqual(['sk-ant-', 'AKIA']);
    expect(redactSecrets(text)).toBe('a sk-ant-… b AKIA…');
  });

  test('a diagnostic is redacted in its message and fix, and kept as is when clean', () => {
    const clean = { severity: 'error' as const, code: 'x', file: 'f.yaml', line: 1, col: 1, message: 'fine' };
    expect(redactDiagnostic(clean)).toBe(clean);
    const dirty = { ...clean, message: 'is string `AKIAIOSFODNN7EXAMPL3`', fix: 'not ghp_0123456789abcdefghijABCDEFGHIJ012345' };
    expect(redactDiagnostic(dirty)).toEqual({ ...clean, message: 'is string `AKIA…`', fix: 'not ghp_…' });
  });

  test('compile diagnostics are redacted too', () => {
    const diagnostics = new CompileDiagnostics();
    diagnostics.errorInTemplate({ file: 'agents/a.yaml', line: 3, col: 9 }, { line: 1, col: 1 }, 'x', 'reads "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"');
    expect(diagnostics.list[0]).toMatchObject({ line: 3, col: 9, message: 'reads "sk-ant-…"' });
  });
});
