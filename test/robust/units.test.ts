// The pieces under the robustness guarantees, one by one: the secret registry and its encodings, the
// streaming redactor, duration and size caps, the tokenizer's chunks and the template depth cap.

import { describe, expect, test } from 'vitest';
import { knownSecrets, redactSecrets, redactValue, registerSecret, REDACTED } from '../../src/secrets.js';
import { createDeltaRedactor } from '../../src/run/delta-redactor.js';
import { maxDurationMs, parseDuration, parseSize, UnitParseError } from '../../src/compile/units.js';
import { TokenCounter, maxTokenizerChunk, tokenizerChunks } from '../../src/cost/tokens.js';
import { blockDepth, maxBlockDepth, scanTemplate } from '../../src/prompt-language/scan.js';
import { isSecretEnvName } from '../../src/secrets/names.js';

const secret = 'unit-Hq7Zp2Lw9Xc4Vb8Nm3Kj6Gf1';
registerSecret(secret);

describe('the secret registry', () => {
  test('redacts the value plain, hex, base64 at every byte offset, URL-safe base64 and URL-encoded', () => {
    const forms = [secret, Buffer.from(secret).toString('hex'), Buffer.from(secret).toString('hex').toUpperCase(), encodeURIComponent(`${secret}/`)];
    for (const prefix of ['', 'k', 'ke', 'key']) {
      const encoded = Buffer.from(`${prefix}${secret}!`).toString('base64');
      forms.push(encoded, encoded.replaceAll('+', '-').replaceAll('/', '_'));
    }
    for (const form of forms) {
      const redacted = redactSecrets(`before ${form} after`);
      expect(redacted, form).toContain(REDACTED);
      expect(redacted).not.toContain(secret);
      expect(redacted).toMatch(/^before .*after$/);
    }
  });

  test('a base64 text wrapped over lines (as `base64` prints it) is redacted as a block', () => {
    const wrapped = Buffer.from(`OTHER=${'x'.repeat(50)}\nKEY=${secret}\n`).toString('base64').replace(/(.{20})/g, '$1\n');
    const redacted = redactSecrets(`start\n${wrapped}\nend`);
    expect(redacted).toContain(REDACTED);
    expect(redacted.replaceAll('\n', '')).not.toContain(Buffer.from(secret).toString('base64').slice(4, 20));
    expect(redacted.startsWith('start\n')).toBe(true);
    expect(redacted.endsWith('\nend')).toBe(true);
  });

  test('short values are not registered; ordinary text is left alone', () => {
    registerSecret('abc');
    registerSecret(undefined);
    expect(knownSecrets()).not.toContain('abc');
    expect(redactSecrets('abc and plain words')).toBe('abc and plain words');
  });

  test('redactValue keeps a __proto__ key as a plain key and never changes a prototype', () => {
    const value = JSON.parse(`{"__proto__": {"polluted": "${secret}"}, "list": ["${secret}"]}`);
    const redacted = redactValue(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(redacted)).toBe(Object.prototype);
    expect(JSON.stringify(redacted)).not.toContain(secret);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test('names: unusual secret-holding names are recognised, ordinary ones are not', () => {
    for (const name of ['AZURE_OPENAI_KEY', 'MY_WEIRD_TOKEN_HOLDER', 'OPENAI_API_KEY', 'DB_PASSWORD', 'STRIPE_APIKEY', 'GH_AUTH', 'KEY']) expect(isSecretEnvName(name), name).toBe(true);
    for (const name of ['PATH', 'HOME', 'KEYBOARD_LAYOUT', 'MONKEY', 'AUTHOR', 'LANG']) expect(isSecretEnvName(name), name).toBe(false);
  });

  test('a stream that splits the hex form of a key over deltas never releases it', () => {
    const hex = Buffer.from(secret).toString('hex');
    let released = '';
    const redactor = createDeltaRedactor({}, (text) => (released += text));
    for (let index = 0; index < hex.length; index += 7) redactor.push(`${index === 0 ? 'hex: ' : ''}${hex.slice(index, index + 7)}`);
    redactor.push(' done');
    redactor.flush();
    expect(released).not.toContain(hex.slice(0, 20));
    expect(released).toContain(REDACTED);
    expect(released).toMatch(/done$/);
  });
});

describe('durations and sizes', () => {
  test('at most 24 days and 1GB, which timers and buffers can honour', () => {
    expect(parseDuration('576h')).toBe(maxDurationMs);
    expect(maxDurationMs).toBeLessThan(2 ** 31 - 1);
    for (const text of ['577h', '600h', '720h', '34561m', '2073601s']) expect(() => parseDuration(text), text).toThrow(UnitParseError);
    expect(parseSize('1GB')).toBe(1024 ** 3);
    for (const value of ['2GB', '1025MB', 2 ** 31]) expect(() => parseSize(value)).toThrow(UnitParseError);
  });
});

describe('the tokenizer', () => {
  test('chunks are bounded, cut at whitespace in prose, and count prose exactly', async () => {
    const prose = 'The quick brown fox jumps over the lazy dog. '.repeat(2000);
    const chunks = tokenizerChunks(prose);
    expect(chunks.join('')).toBe(prose);
    expect(Math.max(...chunks.map((chunk) => chunk.length))).toBeLessThanOrEqual(maxTokenizerChunk);
    const counter = new TokenCounter();
    await counter.load('o200k_base');
    const exact = (await import('gpt-tokenizer/encoding/o200k_base')).countTokens(prose);
    expect(counter.countIn('o200k_base', prose)).toBe(exact);
  });

  test('400 KB without whitespace is counted in bounded time (it took 51 s unchunked)', async () => {
    const counter = new TokenCounter();
    await counter.load('o200k_base');
    const started = Date.now();
    expect(counter.countIn('o200k_base', 'q'.repeat(400_000))).toBeGreaterThan(10_000);
    // Generous: about a second on a loaded 2-core machine; the unchunked count took most of a minute.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  test('a surrogate pair is never split', () => {
    const text = `${'x'.repeat(maxTokenizerChunk - 1)}😀${'y'.repeat(10)}`;
    for (const chunk of tokenizerChunks(text)) expect(chunk).not.toMatch(/[\uD800-\uDBFF]$/);
  });
});

describe('template block depth', () => {
  test(`${maxBlockDepth} nested blocks scan; 10,000 are refused in one line at once`, () => {
    const nested = (depth: number) => `${'{{#if inputs.x}}'.repeat(depth)}y${'{{/if}}'.repeat(depth)}`;
    expect(scanTemplate(nested(maxBlockDepth)).syntaxError).toBeUndefined();
    const started = Date.now();
    const deep = scanTemplate(nested(10_000));
    expect(deep.syntaxError).toBe(`blocks are nested 10000 deep; templates may nest {{#…}} blocks at most ${maxBlockDepth} deep`);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(blockDepth('{{#each a}}{{#if b}}{{/if}}{{/each}}{{^c}}{{/c}}')).toBe(2);
  });
});
