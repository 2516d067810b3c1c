// The real SDKs against a simulator that refuses what the real APIs refuse (src/sim/wire/strict.ts):
// first a control showing each rule bites, then every adapter passing it on the calls that used to break.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { createLanguageModel } from '../../src/providers/registry.js';
import { generateWithChain } from '../../src/providers/chain.js';
import { ModelCache } from '../../src/providers/model-cache.js';
import { RateLimiter } from '../../src/providers/rate-limit.js';
import { ProviderError } from '../../src/providers/errors.js';
import type { CallOptions, StreamPart, ToolCallContent } from '../../src/providers/types.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { chainOf, keyEnv, modelSpec, providerCases, recorder, userCall, weatherTool, type ProviderCase } from './helpers.js';

const [anthropic, openai, gemini, , compatible] = providerCases as [ProviderCase, ProviderCase, ProviderCase, ProviderCase, ProviderCase];
const named = (testCase: ProviderCase, model: string): ProviderCase => ({ ...testCase, model });
const modelFor = (testCase: ProviderCase, extra = {}) => createLanguageModel(modelSpec(testCase, simulator, extra), keyEnv());

let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator();
});
afterAll(() => simulator.close());
beforeEach(() => simulator.reset());

const lastBody = () => simulator.requests.at(-1)?.body ?? {};
const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${simulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, text: await response.text() };
};
async function collect(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

describe('control: the simulator refuses what the vendor refuses', () => {
  const text = (value: string) => ({ type: 'text', text: value });
  test.each([
    ['anthropic sampling under 2026-10-21', '/v1/messages', { model: 'm', max_tokens: 5, temperature: 0.2, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2026-10-21' }, 'temperature: Extra inputs are not permitted'],
    ['anthropic 5 cache breakpoints', '/v1/messages', { model: 'm', max_tokens: 5, system: Array.from({ length: 5 }, () => ({ ...text('x'), cache_control: { type: 'ephemeral' } })), messages: [{ role: 'user', content: 'hi' }] }, {}, 'A maximum of 4 blocks with cache_control may be provided. Found 5.'],
    ['anthropic whitespace text', '/v1/messages', { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [text(' ')] }] }, {}, 'messages: text content blocks must contain non-whitespace text'],
    ['anthropic tool_use without its result', '/v1/messages', { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'go' }, { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'x', input: {} }] }, { role: 'user', content: [text('next')] }] }, {}, 'tool_use` ids were found without'],
    ['anthropic whitespace stop sequence', '/v1/messages', { model: 'm', max_tokens: 5, stop_sequences: ['\n'], messages: [{ role: 'user', content: 'hi' }] }, {}, 'each stop sequence must contain non-whitespace'],
    ['openai max_tokens on a reasoning model', '/v1/chat/completions', { model: 'o3', max_tokens: 5, messages: [] }, {}, "'max_tokens' is not supported with this model"],
    ['openai temperature on a reasoning model', '/v1/chat/completions', { model: 'gpt-5', temperature: 0.2, messages: [] }, {}, "'temperature' does not support 0.2"],
    ['openai stream_options without stream', '/v1/chat/completions', { model: 'gpt-4.1', stream_options: { include_usage: true }, messages: [] }, {}, "'stream_options' parameter is only allowed"],
    ['gemini empty parts', '/v1beta/models/gemini-2.5-flash:generateContent', { contents: [{ role: 'user', parts: [] }] }, {}, 'contents.parts must not be empty'],
    ['gemini $ref beside other keywords', '/v1beta/models/gemini-2.5-flash:generateContent', { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], tools: [{ functionDeclarations: [{ name: 'f', parametersJsonSchema: { type: 'object', properties: { a: { $ref: '#/$defs/A', type: 'object' } } } }] }] }, {}, "$ref '#/$defs/A' was set alongside unsupported fields"],
    ['gemini 3 call without its signature', '/v1beta/models/gemini-3-pro-preview:generateContent', { contents: [{ role: 'user', parts: [{ text: 'go' }] }, { role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }] }, { role: 'user', parts: [{ functionResponse: { name: 'f', response: { output: '1' } } }] }] }, {}, 'missing a thought_signature'],
  ] as const)('%s', async (_label, path, body, headers, message) => {
    simulator.enqueue({ text: 'should not be used' });
    const response = await post(path, body, headers);
    expect(response.status).toBe(400);
    expect(response.text).toContain(JSON.stringify(message).slice(1, -1));
    expect(simulator.requests.at(-1)?.rejection).toContain(message);
  });

  test('a valid request still gets its scripted turn', async () => {
    simulator.enqueue({ text: 'fine' });
    const response = await post('/v1/chat/completions', { model: 'o3', max_completion_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(200);
    expect(response.text).toContain('fine');
  });
});

describe('anthropic', () => {
  const busy: CallOptions = userCall('hi', {
    temperature: 0.2,
    topP: 0.9,
    stopSequences: ['\n', 'END'],
    system: [...Array.from({ length: 6 }, (_, index) => ({ text: `layer ${index}`, cacheable: true })), { text: 'Today.' }],
    messages: [{ role: 'user', content: 'one' }, { role: 'assistant', content: [{ type: 'text', text: '\n\n' }] }, { role: 'user', content: 'two' }],
  });

  test.each([false, true])('a call with sampling settings, six cacheable layers and blank text is accepted (stream=%s)', async (streaming) => {
    simulator.enqueue({ text: 'ok' });
    const model = modelFor(anthropic);
    const result = streaming ? (await collect(model.stream(busy))).flatMap((part) => (part.type === 'finish' ? [part.result] : []))[0] : await model.generate(busy);
    expect(result?.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(result?.warnings.map((warning) => warning.setting)).toEqual(['temperature', 'topP', 'stopSequences']);
    expect(simulator.requests.at(-1)?.headers['anthropic-version']).toBe('2026-10-21');
    expect(JSON.stringify(lastBody()).match(/cache_control/g)).toHaveLength(1);
  });

  test('a provider pinned to anthropic-version 2023-06-01 keeps its temperature', async () => {
    simulator.enqueue({ text: 'ok' });
    const result = await modelFor(anthropic, { headers: { 'anthropic-version': '2023-06-01' } }).generate(userCall('hi', { temperature: 0.2 }));
    expect(result.warnings).toEqual([]);
    expect(lastBody().temperature).toBe(0.2);
    expect(simulator.requests.at(-1)?.headers['anthropic-version']).toBe('2023-06-01');
  });

  test('a non-streaming call may ask for the model maximum (the SDK alone would demand streaming past ~21k)', async () => {
    simulator.enqueue({ text: 'long' });
    const result = await modelFor(anthropic).generate(userCall('hi', { maxTokens: 64_000 }));
    expect(result.content).toEqual([{ type: 'text', text: 'long' }]);
    expect(lastBody().max_tokens).toBe(64_000);
  });

  describe('a model on the SDK deprecation list', () => {
    afterEach(() => vi.restoreAllMocks());
    test('its SDK console warning becomes a call warning instead of a stderr line', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      simulator.enqueue({ text: 'ok' }, { text: 'ok' });
      const model = modelFor(named(anthropic, 'claude-sonnet-4-5'));
      const generated = await model.generate(userCall('hi'));
      const streamed = (await collect(model.stream(userCall('hi')))).at(-1);
      for (const warnings of [generated.warnings, streamed?.type === 'finish' ? streamed.result.warnings : []])
        expect(warnings).toEqual([{ type: 'other', message: expect.stringContaining("The model 'claude-sonnet-4-5' is deprecated") }]);
      expect(warn).not.toHaveBeenCalled();
    });
  });

  test('broken streamed tool-call JSON is a typed server_error', async () => {
    simulator.enqueue({ toolCalls: [{ name: 'get_weather', input: {}, rawArguments: '{"city": "Par' }] });
    const error = await collect(modelFor(anthropic).stream(userCall('weather?', { tools: [weatherTool] }))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ errorClass: 'server_error', providerMessage: expect.stringContaining("'get_weather'") });
  });
});

describe('openai', () => {
  const tuned = userCall('hi', { temperature: 0.2, stopSequences: ['END'], maxTokens: 50 });

  test.each([false, true])('a reasoning model gets max_completion_tokens and no sampling settings (stream=%s)', async (streaming) => {
    simulator.enqueue({ text: 'ok' });
    const model = modelFor(named(openai, 'o3'));
    const result = streaming ? (await collect(model.stream(tuned))).flatMap((part) => (part.type === 'finish' ? [part.result] : []))[0] : await model.generate(tuned);
    expect(result?.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(result?.warnings.map((warning) => warning.setting)).toEqual(['temperature', 'stopSequences']);
    expect(lastBody()).toMatchObject({ max_completion_tokens: 50 });
    expect('stream_options' in lastBody()).toBe(streaming);
  });

  test('an openai-compatible server gets max_tokens and the settings as given', async () => {
    simulator.enqueue({ text: 'ok' });
    await modelFor(compatible).generate(tuned);
    expect(lastBody()).toMatchObject({ max_tokens: 50, temperature: 0.2, stop: ['END'] });
  });

  test.each([
    ['double-encoded arguments are decoded', JSON.stringify(JSON.stringify({ city: 'Paris' })), { city: 'Paris' }],
    ['broken arguments are a typed server_error', '{"city": "Par', undefined],
  ])('%s', async (_label, rawArguments, expected) => {
    simulator.enqueue({ toolCalls: [{ name: 'get_weather', input: {}, rawArguments }] });
    const outcome = await modelFor(openai)
      .generate(userCall('weather?', { tools: [weatherTool] }))
      .then((result) => result.content.find((part): part is ToolCallContent => part.type === 'tool-call')?.input, (error: unknown) => error);
    if (expected) expect(outcome).toEqual(expected);
    else expect(outcome).toMatchObject({ errorClass: 'server_error', name: 'ProviderError' });
  });
});

describe('gemini', () => {
  test('a Gemini 3 model continues a tool loop started by another model (no signature on its call)', async () => {
    simulator.enqueue({ text: 'Sunny.' });
    const result = await modelFor(named(gemini, 'gemini-3-pro-preview')).generate(
      userCall('weather?', {
        tools: [weatherTool],
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'toolu_01', toolName: 'get_weather', input: { city: 'Paris' } }] },
          { role: 'tool', results: [{ toolCallId: 'toolu_01', toolName: 'get_weather', output: '22C' }] },
        ],
      }),
    );
    expect(result.content).toEqual([{ type: 'text', text: 'Sunny.' }]);
    expect(simulator.requests.at(-1)?.status).toBe(200);
  });

  test('a pydantic-style schema ($ref beside a description, $defs) is accepted', async () => {
    simulator.enqueue({ text: 'ok' });
    const tool = { name: 'add', description: 'Add a task', inputSchema: { type: 'object', properties: { task: { $ref: '#/$defs/T', description: 'the task' } }, $defs: { T: { type: 'string' } } } };
    await modelFor(gemini).generate(userCall('add', { tools: [tool] }));
    expect(simulator.requests.at(-1)?.status).toBe(200);
    expect(JSON.stringify(lastBody())).not.toContain('$ref');
  });
});

test('the chain reports a call warning as one warning event per model and run', async () => {
  simulator.enqueue({ text: 'a' }, { text: 'b' });
  const rec = recorder();
  const run = { emit: rec.emit, sleep: rec.sleep, models: new ModelCache(keyEnv()), rateLimiter: new RateLimiter() };
  const chain = chainOf([modelSpec(named(openai, 'gpt-5-mini'), simulator)]);
  await generateWithChain(chain, userCall('hi', { temperature: 0.3 }), run);
  await generateWithChain(chain, userCall('again', { temperature: 0.3 }), run);
  expect(rec.events.filter((event) => event.type === 'warning')).toEqual([
    { type: 'warning', message: expect.stringMatching(/^openai\/gpt-5-mini: gpt-5-mini is a reasoning model and rejects a temperature other than 1/) },
  ]);
});
