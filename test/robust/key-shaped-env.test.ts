// A key held by a variable whose name looks like nothing (MY_THING=sk-ant-…) is still a secret: its
// value is registered like a secret-named variable's, so a tool's environment never gets it (even
// when bash.env lists the name) and its encoded forms are redacted, not only the plain key shape.
import { expect, test } from 'vitest';
import { redactSecrets, registerSecretsFromEnv } from '../../src/secrets.js';
import { scrubbedEnv } from '../../src/tools/process.js';
import type { BashRules } from '../../src/compile/ir.js';

const key = 'sk-ant-api03-Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm';
const env = { MY_THING: key, PLAIN_SETTING: 'just-a-setting-value', PATH: '/usr/bin:/bin' };

const rules: BashRules = { allow: ['*'], deny: [], timeoutMs: 1000, maxOutputBytes: 1000, env: ['MY_THING', 'PLAIN_SETTING', 'PATH'], shell: false, expose: [], sandbox: 'auto', allowHosts: [] };

test('a key-shaped value under an odd name never reaches a tool environment, even when bash.env lists it', () => {
  registerSecretsFromEnv(env);
  const child = scrubbedEnv(rules, env);
  expect(child['MY_THING']).toBeUndefined();
  expect(child['PLAIN_SETTING']).toBe('just-a-setting-value');
  expect(child['PATH']).toBe('/usr/bin:/bin');
});

test('its base64 and hex forms are redacted as well as the plain key', () => {
  registerSecretsFromEnv(env);
  const bytes = Buffer.from(key);
  for (const form of [key, bytes.toString('base64'), bytes.toString('hex')]) {
    const redacted = redactSecrets(`tool said: ${form}`);
    expect(redacted).not.toContain(form.slice(8, 30));
  }
});
