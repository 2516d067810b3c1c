import { expect, test } from 'vitest';
import { redactSecrets, redactValue } from '../../src/tools/redact.js';

test('run-time redaction covers every key shape lint knows, not only env values', () => {
  const aws = 'AKIAIOSFODNN7EXAMPLE';
  const slack = 'xoxb-1234567890-abcdefghij';
  const hf = 'hf_abcdefghijklmnopqrstuvwxyz0123456789';
  const text = `aws ${aws} slack ${slack} hf ${hf} and plain words like ASIAN and sk-learn stay`;
  const redacted = redactSecrets(text, {});
  for (const secret of [aws, slack, hf]) expect(redacted).not.toContain(secret);
  expect(redacted).toContain('plain words like ASIAN and sk-learn stay');
});

test('a short string redacted before its value became a secret is redacted once it is one (no stale memo)', () => {
  const value = 'plainvalue-7f3e9a';
  expect(redactSecrets(`id ${value}`, {})).toBe(`id ${value}`);
  expect(redactValue({ [value]: value }, {})).toEqual({ [value]: value });
  // A later env brings it in as a secret: the same short strings are now redacted.
  expect(redactSecrets(`id ${value}`, { LATE_API_KEY: value })).toBe('id [REDACTED]');
  expect(redactValue({ [value]: value }, {})).toEqual({ '[REDACTED]': '[REDACTED]' });
});
