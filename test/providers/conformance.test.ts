// One suite, every adapter: the real SDKs over real HTTP against the wire simulator.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLanguageModel } from '../../src/providers/registry.js';
import { ProviderError } from '../../src/providers/errors.js';
import type { LanguageModel, StreamPart, ToolCallContent } from '../../src/providers/types.js';
import { priceUsage } from '../../src/cost/price.js';
import { startSimulator, simThoughtSignature, type FaultKind, type Simulator } from '../../src/sim/index.js';
import { keyEnv, modelSpec, providerCases, userCall, weatherTool, type ProviderCase } from './helpers.js';

let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator();
});
afterAll(() => simulator.close());

async function collect(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

function lastRequest() {
  const request = simulator.requests.at(-1);
  if (!request) throw new Error('no request recorded');
  return request;
}

const faultClasses: Array<[FaultKind, string]> = [
  ['rate-limit', 'rate_limited'],
  ['server-error', 'server_error'],
  ['overloaded', 'overloaded'],
  ['unavailable', 'overloaded'],
  ['auth', 'auth'],
  ['bad-request', 'invalid_request'],
  ['context-length', 'context_length'],
  ['hang', 'timeout'],
  ['cut', 'network'],
  ['malformed', 'server_error'],
];

describe.each(providerCases)('$type adapter', (testCase: ProviderCase) => {
  let model: LanguageModel;
  beforeAll(() => {
    model = createLanguageModel(modelSpec(testCase, simulator), keyEnv());
  });

  test('generates plain text', async () => {
    simulator.enqueue({ text: 'Hello! How are you?', usage: { input: 18, output: 7 } });
    const result = await model.generate(userCall('Say hello'));
    expect(result.content).toEqual([{ type: 'text', text: 'Hello! How are you?' }]);
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual({ inputTokens: 18, outputTokens: 7, cacheReadTokens: 0, cacheWriteTokens: 0 });
    const request = lastRequest();
    expect(request.path).toBe(testCase.path(false));
    expect(request.stream).toBe(false);
    expect(request.model).toBe(testCase.model);
    expect(JSON.stringify(request.body)).toContain('You are concise.');
  });

  test('streams text deltas, then one finish', async () => {
    simulator.enqueue({ text: ['The ', 'capital ', 'is ', 'Paris.'], usage: { input: 20, output: 4 } });
    const parts = await collect(model.stream(userCall('Capital of France?')));
    const deltas = parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : []));
    expect(deltas.join('')).toBe('The capital is Paris.');
    expect(deltas.length).toBeGreaterThan(1);
    const finishes = parts.filter((part) => part.type === 'finish');
    expect(finishes).toHaveLength(1);
    expect(parts.at(-1)?.type).toBe('finish');
    const finish = parts.at(-1);
    if (finish?.type !== 'finish') throw new Error('no finish');
    expect(finish.result.content).toEqual([{ type: 'text', text: 'The capital is Paris.' }]);
    expect(finish.result.usage.inputTokens).toBe(20);
    expect(finish.result.usage.outputTokens).toBe(4);
    expect(lastRequest().path).toBe(testCase.path(true));
    expect(lastRequest().stream).toBe(true);
  });

  test.each([false, true])('tool call then follow-up turn in the vendor shape (stream=%s)', async (streaming) => {
    simulator.enqueue({ toolCalls: [{ name: 'get_weather', input: { city: 'Paris' } }] }, { text: 'Paris is sunny at 22°C.' });
    const first = userCall('What is the weather in Paris?', { tools: [weatherTool] });
    const run = async (options: typeof first) => {
      if (!streaming) return model.generate(options);
      const parts = await collect(model.stream(options));
      const finish = parts.at(-1);
      if (finish?.type !== 'finish') throw new Error('no finish');
      expect(parts.filter((part) => part.type === 'tool-call').length).toBe(finish.result.content.filter((c) => c.type === 'tool-call').length);
      return finish.result;
    };
    const turn1 = await run(first);
    expect(turn1.finishReason).toBe('tool-calls');
    const call = turn1.content.find((part): part is ToolCallContent => part.type === 'tool-call');
    expect(call?.toolName).toBe('get_weather');
    expect(call?.input).toEqual({ city: 'Paris' });
    expect(call?.toolCallId).toBeTruthy();
    if (!call) return;

    const toolsSent = JSON.stringify(lastRequest().body);
    expect(toolsSent).toContain('get_weather');
    expect(toolsSent).toContain('"city"');

    const output = '{"temperature":22,"condition":"sunny"}';
    const turn2 = await run({
      ...first,
      messages: [...first.messages, { role: 'assistant', content: turn1.content }, { role: 'tool', results: [{ toolCallId: call.toolCallId, toolName: 'get_weather', output }] }],
    });
    expect(turn2.content).toEqual([{ type: 'text', text: 'Paris is sunny at 22°C.' }]);
    const body = lastRequest().body as Record<string, unknown>;
    switch (testCase.type) {
      case 'anthropic':
        expect(body.messages).toEqual([
          { role: 'user', content: [{ type: 'text', text: 'What is the weather in Paris?' }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: call.toolCallId, name: 'get_weather', input: { city: 'Paris' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.toolCallId, content: output }] },
        ]);
        break;
      case 'openai':
      case 'openai-compatible':
        expect((body.messages as unknown[]).slice(2)).toEqual([
          { role: 'assistant', content: null, tool_calls: [{ id: call.toolCallId, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          { role: 'tool', tool_call_id: call.toolCallId, content: output },
        ]);
        break;
      case 'gemini':
        expect((body.contents as unknown[]).slice(1)).toEqual([
          { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: simThoughtSignature }] },
          { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output } } }] },
        ]);
        break;
      case 'ollama':
        expect((body.messages as unknown[]).slice(2)).toEqual([
          // Current servers send call ids; they go back so parallel calls of one tool stay matched.
          { role: 'assistant', content: '', tool_calls: [{ id: call.toolCallId, function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
          { role: 'tool', content: output, tool_name: 'get_weather', tool_call_id: call.toolCallId },
        ]);
        break;
    }
  });

  test('reports usage that prices correctly', async () => {
    simulator.enqueue({ text: 'ok', usage: { input: 1_000_000, output: 100_000 } });
    const result = await model.generate(userCall('Count'));
    expect(result.usage.inputTokens).toBe(1_000_000);
    expect(result.usage.outputTokens).toBe(100_000);
    // 1M input at $3 + 0.1M output at $15.
    expect(priceUsage(result.usage, { input: 3, output: 15 })).toBeCloseTo(4.5, 10);
  });

  test.each(faultClasses)('fault %s is classified as %s', async (kind, errorClass) => {
    simulator.setFault({ kind, retryAfterSeconds: kind === 'rate-limit' ? 2 : undefined, model: testCase.model });
    try {
      const error = await model.generate(userCall('hi', { timeoutMs: 400 })).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ProviderError);
      const providerError = error as ProviderError;
      expect(providerError.errorClass).toBe(errorClass);
      expect(providerError.model).toBe(`${testCase.name}/${testCase.model}`);
      if (kind === 'rate-limit') {
        expect(providerError.status).toBe(429);
        expect(providerError.retryAfterMs).toBe(2000);
      }
      if (kind === 'hang' || kind === 'cut' || kind === 'malformed') return;
      expect(providerError.status).toBeGreaterThanOrEqual(400);
    } finally {
      simulator.setFault(undefined);
    }
  });

  test.each([
    ['cut', 'network'],
    ['malformed', 'server_error'],
    ['hang', 'timeout'],
    ['overloaded', 'overloaded'],
  ] as const)('streaming fault %s is classified as %s', async (kind, errorClass) => {
    simulator.setFault({ kind, model: testCase.model });
    try {
      const error = await collect(model.stream(userCall('hi', { timeoutMs: 400 }))).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ProviderError);
      // ollama-js drops unparseable NDJSON lines itself, so a broken stream shows up as one without its done line.
      const expected = kind === 'malformed' && testCase.type === 'ollama' ? 'network' : errorClass;
      expect((error as ProviderError).errorClass).toBe(expected);
    } finally {
      simulator.setFault(undefined);
    }
  });

  test('a missing key fails unavailable without any HTTP call (keyless ollama still works)', async () => {
    const keyless = createLanguageModel(modelSpec(testCase, simulator), {});
    const before = simulator.requests.length;
    if (testCase.type === 'ollama') simulator.enqueue({ text: 'keyless is fine' });
    const outcome = await keyless.generate(userCall('hi')).then(
      (result) => result.content,
      (error: unknown) => (error instanceof ProviderError ? `${error.errorClass}: ${error.providerMessage}` : 'raw'),
    );
    if (testCase.type === 'ollama') {
      expect(outcome).toEqual([{ type: 'text', text: 'keyless is fine' }]);
      expect(simulator.requests.length).toBe(before + 1);
    } else {
      expect(outcome).toMatch(/^unavailable: .*(API_KEY|LMSTUDIO_API_KEY).* set$/);
      expect(simulator.requests.length).toBe(before);
    }
  });
});

describe('anthropic prompt caching', () => {
  test('sends cache_control for cacheable parts and reports cache reads and writes', async () => {
    const testCase = providerCases[0] as ProviderCase;
    const model = createLanguageModel(modelSpec(testCase, simulator), keyEnv());
    simulator.enqueue({ text: 'hi', usage: { input: 9, output: 5, cacheWrite: 5752 } }, { text: 'hi', usage: { input: 9, output: 5, cacheRead: 5752 } });
    const options = userCall('Say hi.', { system: [{ text: 'Stable persona layer.', cacheable: true }, { text: 'Today is Monday.' }] });
    const first = await model.generate(options);
    expect(lastRequest().body.system).toEqual([
      { type: 'text', text: 'Stable persona layer.', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Today is Monday.' },
    ]);
    expect(first.usage).toEqual({ inputTokens: 9, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 5752 });
    const parts = await collect(model.stream(options));
    const finish = parts.at(-1);
    expect(finish?.type === 'finish' && finish.result.usage).toEqual({ inputTokens: 9, outputTokens: 5, cacheReadTokens: 5752, cacheWriteTokens: 0 });
    const cost = priceUsage({ inputTokens: 9, outputTokens: 5, cacheReadTokens: 5752, cacheWriteTokens: 0 }, { input: 3, output: 15, cacheRead: 0.3 });
    expect(cost).toBeCloseTo((9 * 3 + 5 * 15 + 5752 * 0.3) / 1e6, 12);
  });

  test('openai reports cached prompt tokens as cache reads, not input', async () => {
    const model = createLanguageModel(modelSpec(providerCases[1] as ProviderCase, simulator), keyEnv());
    simulator.enqueue({ text: 'hi', usage: { input: 100, output: 5, cacheRead: 1024 } });
    const result = await model.generate(userCall('hi'));
    expect(result.usage).toEqual({ inputTokens: 100, outputTokens: 5, cacheReadTokens: 1024, cacheWriteTokens: 0 });
  });
});
