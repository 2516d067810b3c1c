import { describe, expect, test } from 'vitest';
import { allowedKeysAt, descriptionAt } from '../../src/validate/schema-files.js';
import { closest } from '../../src/validate/suggest.js';

describe('the schema of a value is found by walking from the file root, through $refs', () => {
  test('a provider (a $defs entry under additionalProperties) has its own keys, not the top-level ones', () => {
    expect(allowedKeysAt('providers', ['providers', 'anthropic'])).toEqual(['type', 'base_url', 'api_key_env', 'headers', 'timeout', 'description']);
    expect(allowedKeysAt('providers', [])).toContain('routes');
  });

  test('template steps (items of a $ref), tool defaults and agent limits (refs into common.schema.json)', () => {
    expect(allowedKeysAt('template', ['steps', 3])).toEqual(expect.arrayContaining(['id', 'agent', 'needs', 'for_each', 'with']));
    expect(allowedKeysAt('tools', ['defaults', 'read'])).toEqual(expect.arrayContaining(['allow', 'deny', 'max_bytes']));
    expect(allowedKeysAt('agent', ['limits'])).toEqual(expect.arrayContaining(['max_iterations', 'max_cost', 'timeout']));
    expect(allowedKeysAt('agent', ['permissions', 'bash'])).toEqual(expect.arrayContaining(['allow', 'env', 'shell']));
  });

  test('a path the schema does not describe has no keys, and a description comes from the definition', () => {
    expect(allowedKeysAt('agent', ['no_such_key', 'x'])).toEqual([]);
    expect(descriptionAt('providers', ['providers', 'x', 'api_key_env'])).toMatch(/^The NAME of an environment variable/);
  });
});

describe('did you mean', () => {
  test('a typo within a third of the word, else a key the word begins', () => {
    expect(closest('modle', ['model', 'name'])).toBe('model');
    expect(closest('api_key', ['type', 'base_url', 'api_key_env', 'headers'])).toBe('api_key_env');
    expect(closest('max', ['max_tokens', 'temperature'])).toBeUndefined();
    expect(closest('zzz', ['model'])).toBeUndefined();
  });
});
