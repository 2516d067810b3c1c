// The chain against real adapters and the simulator: retry, fallback, retry-after, cooldown, skips.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { generateWithChain, retryDelay, runChain, streamWithChain, type ChainStreamPart } from '../../src/providers/chain.js';
import { ChainError } from '../../src/providers/errors.js';
import { ModelCache } from '../../src/providers/model-cache.js';
import { RateLimiter, type RateScope } from '../../src/providers/rate-limit.js';
import { startSimulator, type FaultKind, type Simulator } from '../../src/sim/index.js';
import { chainOf, keyEnv, modelSpec, providerCases, recorder, userCall, type ProviderCase } from './helpers.js';

let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator();
});
afterAll(() => simulator.close());
beforeEach(() => simulator.reset());

const [anthropic, openai, gemini, ollama, compatible] = providerCases as [ProviderCase, ProviderCase, ProviderCase, ProviderCase, ProviderCase];
const options = (rec: ReturnType<typeof recorder>, env = keyEnv()) => ({
  emit: rec.emit,
  sleep: rec.sleep,
  random: () => 0.5,
  models: new ModelCache(env),
  rateLimiter: new RateLimiter(),
});

describe('retry-after', () => {
  test.each([
    ['retry-after seconds', { retryAfterSeconds: 7 }, anthropic, 7000],
    ['retry-after-ms', { retryAfterMs: 250 }, openai, 250],
    ['Gemini RetryInfo.retryDelay', { retryAfterSeconds: 3 }, gemini, 3000],
    ['retry-after on ollama', { retryAfterSeconds: 2 }, ollama, 2000],
  ] as const)('%s is honoured', async (_label, header, testCase, expected) => {
    const rec = recorder();
    simulator.enqueue({ fault: { kind: 'rate-limit', ...header } }, { text: 'after the wait' });
    const result = await generateWithChain(chainOf([modelSpec(testCase, simulator)]), userCall('hi'), options(rec));
    expect(result.value.content).toEqual([{ type: 'text', text: 'after the wait' }]);
    expect(rec.delays).toEqual([expected]);
    expect(rec.events).toContainEqual({ type: 'model-retry', model: `${testCase.name}/${testCase.model}`, attempt: 1, errorClass: 'rate_limited', status: 429, delayMs: expected });
    expect(result.attempts).toHaveLength(1);
  });

  test('an HTTP-date retry-after is honoured and capped by max_delay', async () => {
    const rec = recorder();
    const date = new Date(Date.now() + 3_600_000).toUTCString();
    simulator.enqueue({ fault: { kind: 'rate-limit', retryAfterDate: date } }, { text: 'ok' });
    await generateWithChain(chainOf([modelSpec(anthropic, simulator)], { retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 5000, honorRetryAfter: true } }), userCall('hi'), options(rec));
    expect(rec.delays).toEqual([5000]);
  });

  test('without retry-after the delay is full jitter over exponential backoff', () => {
    const policy = { attempts: 5, initialDelayMs: 500, maxDelayMs: 4000, honorRetryAfter: true };
    expect(retryDelay(policy, 1, undefined, () => 0.5)).toBe(250);
    expect(retryDelay(policy, 3, undefined, () => 0.999)).toBe(1998);
    expect(retryDelay(policy, 6, undefined, () => 1)).toBe(4000);
    expect(retryDelay({ ...policy, honorRetryAfter: false }, 1, 9000, () => 0)).toBe(0);
  });
});

describe('fallback policy', () => {
  test('invalid_request never falls back, even when listed in fallback.on', async () => {
    const rec = recorder();
    simulator.setFault({ kind: 'bad-request', model: anthropic.model });
    const chain = chainOf([modelSpec(anthropic, simulator), modelSpec(openai, simulator)], { fallbackOn: ['invalid_request', 'rate_limited'] });
    const before = simulator.requests.length;
    const error = await generateWithChain(chain, userCall('hi'), options(rec)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChainError);
    expect((error as ChainError).attempts).toEqual([expect.objectContaining({ model: 'anthropic/claude-opus-4-7', errorClass: 'invalid_request', status: 400, delayMs: 0 })]);
    expect(simulator.requests.slice(before).map((r) => r.model)).toEqual([anthropic.model]);
    expect(rec.events.some((event) => event.type === 'model-fallback')).toBe(false);
  });

  test('a rate-limited model cools down for the rest of the run', async () => {
    const rec = recorder();
    const run = options(rec);
    simulator.setFault({ kind: 'rate-limit', model: anthropic.model });
    const chain = chainOf([modelSpec(anthropic, simulator), modelSpec(openai, simulator)]);
    simulator.enqueue({ text: 'first from openai' }, { text: 'second from openai' });
    const first = await generateWithChain(chain, userCall('one'), run);
    expect(first.model.ref.id).toBe('openai/gpt-4o');
    expect(rec.events).toContainEqual({ type: 'model-fallback', from: 'anthropic/claude-opus-4-7', to: 'openai/gpt-4o', errorClass: 'rate_limited', status: 429 });
    const before = simulator.requests.length;
    const second = await generateWithChain(chain, userCall('two'), run);
    expect(second.value.content).toEqual([{ type: 'text', text: 'second from openai' }]);
    expect(simulator.requests.slice(before).map((r) => r.model)).toEqual(['gpt-4o']);
    expect(rec.events).toContainEqual({ type: 'model-skipped', model: 'anthropic/claude-opus-4-7', reason: 'rate limited earlier in this run' });
  });

  test('a model whose key is missing is skipped with a model-skipped event', async () => {
    const rec = recorder();
    const env = { OPENAI_API_KEY: 'sk-openai-only' };
    simulator.enqueue({ text: 'from openai' });
    const result = await generateWithChain(chainOf([modelSpec(anthropic, simulator), modelSpec(openai, simulator)]), userCall('hi'), options(rec, env));
    expect(result.model.ref.id).toBe('openai/gpt-4o');
    expect(rec.events[0]).toEqual({ type: 'model-skipped', model: 'anthropic/claude-opus-4-7', reason: 'ANTHROPIC_API_KEY is not set' });
    expect(result.attempts).toEqual([expect.objectContaining({ model: 'anthropic/claude-opus-4-7', skipped: true, errorClass: 'unavailable' })]);
  });

  test('a stream falls back before any text, never after', async () => {
    const rec = recorder();
    const chain = chainOf([modelSpec(gemini, simulator), modelSpec(ollama, simulator)], { retry: { attempts: 1, initialDelayMs: 1, maxDelayMs: 1, honorRetryAfter: true } });
    simulator.enqueue({ fault: { kind: 'overloaded' } }, { text: 'from ollama' });
    const parts: ChainStreamPart[] = [];
    for await (const part of streamWithChain(chain, userCall('hi'), options(rec))) parts.push(part);
    const finish = parts.at(-1);
    expect(finish?.type === 'finish' && finish.model.ref.id).toBe('ollama/llama3.2');

    simulator.enqueue({ text: ['partial ', 'answer ', 'then ', 'cut'], fault: { kind: 'cut' } }, { text: 'must not be used' });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const part of streamWithChain(chain, userCall('hi'), options(rec))) if (part.type === 'text-delta') seen.push(part.delta);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChainError);
    expect((error as ChainError).attempts).toHaveLength(1);
    expect(seen.join('')).toContain('partial');
  });

  test('a call draws from its provider\'s rate limit and from its model\'s', async () => {
    const rec = recorder();
    const seen: string[][] = [];
    const limiter = new (class extends RateLimiter {
      override async acquire(scopes: RateScope[]): Promise<void> {
        seen.push(scopes.map((scope) => scope.key));
      }
    })();
    simulator.enqueue({ text: 'limited' });
    const chain = chainOf([modelSpec(anthropic, simulator)], { rateLimits: { anthropic: { rpm: 50 }, 'anthropic/claude-opus-4-7': { rpm: 5 }, 'anthropic/other': { rpm: 1 } } });
    await generateWithChain(chain, userCall('hi'), { ...options(rec), rateLimiter: limiter });
    expect(seen).toEqual([['anthropic', 'anthropic/claude-opus-4-7']]);
  });

  test('runChain passes any call through the same policy', async () => {
    const rec = recorder();
    simulator.enqueue({ fault: { kind: 'server-error' } }, { text: 'second try' });
    const result = await runChain(chainOf([modelSpec(compatible, simulator)]), (model) => model.generate(userCall('x')), options(rec));
    expect(result.value.content).toEqual([{ type: 'text', text: 'second try' }]);
    expect(rec.events.map((event) => event.type)).toEqual(['model-call', 'model-retry', 'model-call']);
  });
});

const faults: Array<{ kind: FaultKind; fallsBack: boolean; errorClass: string }> = [
  { kind: 'rate-limit', fallsBack: true, errorClass: 'rate_limited' },
  { kind: 'server-error', fallsBack: true, errorClass: 'server_error' },
  { kind: 'unavailable', fallsBack: true, errorClass: 'overloaded' },
  { kind: 'overloaded', fallsBack: true, errorClass: 'overloaded' },
  { kind: 'hang', fallsBack: true, errorClass: 'timeout' },
  { kind: 'cut', fallsBack: true, errorClass: 'network' },
  { kind: 'malformed', fallsBack: true, errorClass: 'server_error' },
  { kind: 'auth', fallsBack: false, errorClass: 'auth' },
  { kind: 'bad-request', fallsBack: false, errorClass: 'invalid_request' },
  { kind: 'context-length', fallsBack: false, errorClass: 'context_length' },
];

describe.each(providerCases)('fault matrix: $type', (testCase) => {
  test.each(faults)('$kind: succeeds through retry/fallback or ends in one ChainError listing every attempt', async ({ kind, fallsBack, errorClass }) => {
    const rec = recorder();
    const primary = modelSpec(testCase, simulator, { timeoutMs: 300 });
    // The backup speaks another protocol, so model-targeted faults cannot hit it.
    const backupCase = testCase.type === 'anthropic' ? openai : anthropic;
    const backup = { ...modelSpec(backupCase, simulator), ref: { provider: backupCase.name, model: 'backup-model', id: `${backupCase.name}/backup-model` } };
    simulator.setFault({ kind, model: testCase.model, retryAfterMs: 0 });
    simulator.enqueue({ text: 'answer from the backup' });
    const outcome = await generateWithChain(chainOf([primary, backup]), userCall('hi'), options(rec)).then(
      (success) => ({ success }),
      (error: unknown) => ({ error }),
    );
    simulator.setFault(undefined);
    const expectedClass = errorClass;
    if (fallsBack) {
      if (!('success' in outcome)) throw outcome.error;
      expect(outcome.success.model.ref.id).toBe(backup.ref.id);
      expect(outcome.success.attempts.map((a) => [a.model, a.errorClass])).toEqual([
        [primary.ref.id, expectedClass],
        [primary.ref.id, expectedClass],
      ]);
      expect(rec.events.filter((event) => event.type === 'model-fallback')).toHaveLength(1);
    } else {
      if (!('error' in outcome)) throw new Error('expected a ChainError');
      expect(outcome.error).toBeInstanceOf(ChainError);
      const chainError = outcome.error as ChainError;
      expect(chainError.attempts).toEqual([expect.objectContaining({ model: primary.ref.id, errorClass: expectedClass, delayMs: 0 })]);
      expect(chainError.message).toContain(primary.ref.id);
    }
  });
});
