import { expect, test } from 'vitest';
import { redactSecrets } from '../../src/tools/redact.js';

test('run-time redaction covers every key shape lint knows, not only env values', () => {
  const aws = 'AKIAIOSFODNN7EXAMPLE';
  const slack = 'xoxb-1234567890-abcdefghij';
  const hf = 'hf_abcdefghijklmnopqrstuvwxyz0123456789';
  const text = `aws ${aws} slack ${slack} hf ${hf} and plain words like ASIAN and sk-learn stay`;
  const redacted = redactSecrets(text, {});
  for (const secret of [aws, slack, hf]) expect(redacted).not.toContain(secret);
  expect(redacted).toContain('plain words like ASIAN and sk-learn stay');
});
