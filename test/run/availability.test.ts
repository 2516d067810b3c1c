import { describe, expect, it } from 'vitest';
import { checkChains, describeUnavailable } from '../../src/run/availability.js';
import { providerKeyStatus } from '../../src/providers/registry.js';
import { parseOutput, stripFences } from '../../src/run/output.js';
import { createDeltaRedactor } from '../../src/run/delta-redactor.js';
import type { ModelSpec } from '../../src/compile/ir.js';
import { agent, pipeline, step } from './helpers.js';

const spec = (id: string, type: ModelSpec['provider']['type'], baseUrl?: string): ModelSpec => {
  const [provider, model] = id.split('/') as [string, string];
  return { ref: { provider, model, id }, provider: { name: provider, type, ...(baseUrl ? { baseUrl } : {}) }, pricing: { input: 0, output: 0 } };
};
const chain = (models: ModelSpec[]) => ({ name: 'default', models, retry: { attempts: 1, initialDelayMs: 0, maxDelayMs: 0, honorRetryAfter: false }, fallbackOn: [], rateLimits: {} });

describe('availability', () => {
  const models = [spec('anthropic/claude', 'anthropic'), spec('ollama/llama', 'ollama', 'http://127.0.0.1:9')];
  const compiled = pipeline('/project', [step('a', { agent: agent('a', { chain: chain(models) }) })]);

  it('is usable with a key, without probing local servers', async () => {
    const probed: string[] = [];
    const checks = await checkChains(compiled, { ANTHROPIC_API_KEY: 'k' }, providerKeyStatus, async (url) => (probed.push(url), false));
    expect(checks[0]?.usable).toBe(true);
    expect(probed).toEqual([]);
  });

  it('is usable with no key when Ollama answers', async () => {
    const checks = await checkChains(compiled, {}, providerKeyStatus, async () => true);
    expect(checks[0]?.usable).toBe(true);
  });

  it('names the env vars, the Ollama URL and the fixes when nothing is usable', async () => {
    const checks = await checkChains(compiled, {}, providerKeyStatus, async () => false);
    expect(checks[0]?.usable).toBe(false);
    const paragraph = describeUnavailable(checks, '/project');
    expect(paragraph).not.toContain('\n');
    expect(paragraph).toContain('ANTHROPIC_API_KEY');
    expect(paragraph).toContain('http://127.0.0.1:9/api/tags');
    expect(paragraph).toContain('/project/.env');
    expect(paragraph).toContain('ollama serve');
  });
});

describe('step output', () => {
  it('strips one code fence and parses JSON objects and arrays only', () => {
    expect(stripFences('```json\n{"a":1}\n```')).toBe('{"a":1}');
    expect(parseOutput('```\n[1, 2]\n```')).toEqual([1, 2]);
    expect(parseOutput('42')).toBe('42');
    expect(parseOutput('{not json')).toBe('{not json');
  });
});

describe('streamed text', () => {
  it('redacts a key split across deltas and releases everything on flush', () => {
    const key = 'split-secret-value-0123456789';
    const released: string[] = [];
    const stream = createDeltaRedactor({ SOME_API_KEY: key }, (text) => released.push(text));
    for (const delta of ['The key is split-sec', 'ret-value-01', '23456789 and that is all, really, nothing else to say here.']) stream.push(delta);
    stream.flush();
    expect(released.join('')).toBe('The key is [REDACTED] and that is all, really, nothing else to say here.');
    expect(released.length).toBeGreaterThan(1);
  });
});
