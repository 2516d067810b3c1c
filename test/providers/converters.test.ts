// Pure converters and classifiers: no network.

import { describe, expect, test } from 'vitest';
import { toAnthropicRequest } from '../../src/providers/anthropic/convert-prompt.js';
import { mapAnthropicStopReason } from '../../src/providers/anthropic/map-finish-reason.js';
import { AnthropicStreamState } from '../../src/providers/anthropic/stream-state.js';
import { toOpenAIRequest } from '../../src/providers/openai/convert-prompt.js';
import { mapOpenAIFinishReason } from '../../src/providers/openai/map-finish-reason.js';
import { OpenAIStreamState, mapOpenAIUsage } from '../../src/providers/openai/stream-state.js';
import { syntheticCallIdPrefix, toGeminiRequest } from '../../src/providers/gemini/convert-prompt.js';
import { mapGeminiFinishReason } from '../../src/providers/gemini/map-finish-reason.js';
import { GeminiStreamState } from '../../src/providers/gemini/stream-state.js';
import { readGeminiError } from '../../src/providers/gemini/map-error.js';
import { syntheticOllamaCallIdPrefix, toOllamaRequest } from '../../src/providers/ollama/convert-prompt.js';
import { mapOllamaDoneReason } from '../../src/providers/ollama/map-finish-reason.js';
import { classifyHttpStatus, parseRetryAfter, parseRetryDelay, scrubSecret } from '../../src/providers/errors.js';
import { normalizeOllamaHost, providerKeyStatus } from '../../src/providers/registry.js';
import type { CallOptions, Message } from '../../src/providers/types.js';

const toolLoop: Message[] = [
  { role: 'user', content: 'Weather in Paris?' },
  {
    role: 'assistant',
    content: [
      { type: 'text', text: 'Checking.' },
      { type: 'tool-call', toolCallId: 'call_1', toolName: 'get_weather', input: { city: 'Paris' }, providerMetadata: { gemini: { thoughtSignature: 'sig' } } },
    ],
  },
  { role: 'tool', results: [{ toolCallId: 'call_1', toolName: 'get_weather', output: '22C', isError: false }] },
  { role: 'user', content: 'And tomorrow?' },
];
const options: CallOptions = { system: [{ text: 'Layer.', cacheable: true }, { text: 'Today.' }], messages: toolLoop };

describe('prompt converters', () => {
  test('anthropic: cache_control on cacheable parts, tool_result merged with the next user text', () => {
    const { body } = toAnthropicRequest('claude', { ...options, maxTokens: 50 });
    expect(body.system).toEqual([{ type: 'text', text: 'Layer.', cache_control: { type: 'ephemeral' } }, { type: 'text', text: 'Today.' }]);
    expect(body.max_tokens).toBe(50);
    expect(body.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(body.messages[2]?.content).toEqual([
      { type: 'tool_result', tool_use_id: 'call_1', content: '22C' },
      { type: 'text', text: 'And tomorrow?' },
    ]);
  });

  test('anthropic: defaults max_tokens; API 2026-10-21 (the SDK default) gets no sampling settings, only warnings', () => {
    const { body, warnings } = toAnthropicRequest('claude', { ...options, temperature: 0.2, topP: 0.9 });
    expect(body.max_tokens).toBe(4096);
    expect(body).not.toHaveProperty('temperature');
    expect(body).not.toHaveProperty('top_p');
    expect(warnings.map((warning) => [warning.type, warning.setting])).toEqual([
      ['unsupported-setting', 'temperature'],
      ['unsupported-setting', 'topP'],
    ]);
    expect(warnings[0]?.message).toContain('anthropic-version: 2023-06-01');
  });

  test('anthropic: a provider pinned to API 2023-06-01 keeps temperature (clamped to 1) and drops topP beside it', () => {
    const pinned = toAnthropicRequest('claude', { ...options, temperature: 1.5, topP: 0.9 }, { apiVersion: '2023-06-01' });
    expect(pinned.body.temperature).toBe(1);
    expect(pinned.body.top_p).toBeUndefined();
    expect(pinned.warnings.map((warning) => warning.setting)).toEqual(['temperature', 'topP']);
    expect(toAnthropicRequest('claude', { ...options, topP: 0.9 }, { apiVersion: '2023-06-01' }).body.top_p).toBe(0.9);
  });

  test('openai: one system message, tool_calls with string arguments, max_completion_tokens vs max_tokens', () => {
    const { body, warnings } = toOpenAIRequest('gpt', { ...options, maxTokens: 9, stopSequences: ['a', 'b', 'c', 'd', 'e'] }, { compatible: false });
    expect(body.messages[0]).toEqual({ role: 'system', content: 'Layer.\n\nToday.' });
    expect(body.messages[2]).toEqual({
      role: 'assistant',
      content: 'Checking.',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    });
    expect(body.messages[3]).toEqual({ role: 'tool', tool_call_id: 'call_1', content: '22C' });
    expect(body.max_completion_tokens).toBe(9);
    expect(body.stop).toHaveLength(4);
    expect(warnings[0]?.setting).toBe('stopSequences');
    expect(toOpenAIRequest('m', { ...options, maxTokens: 9 }, { compatible: true }).body.max_tokens).toBe(9);
  });

  test('gemini: model role, echoed thoughtSignature, functionResponse, synthetic ids never sent', () => {
    const { request } = toGeminiRequest('g', options);
    expect(request.config.systemInstruction).toEqual({ parts: [{ text: 'Layer.' }, { text: 'Today.' }] });
    expect(request.contents[1]).toEqual({
      role: 'model',
      parts: [{ text: 'Checking.' }, { functionCall: { id: 'call_1', name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'sig' }],
    });
    expect(request.contents[2]?.parts[0]).toEqual({ functionResponse: { id: 'call_1', name: 'get_weather', response: { output: '22C' } } });
    expect(request.contents).toHaveLength(3);
    const synthetic: Message = { role: 'assistant', content: [{ type: 'tool-call', toolCallId: `${syntheticCallIdPrefix}x`, toolName: 't', input: {} }] };
    // A call without a signature (Gemini 2.0, or made by another model before a fallback) gets Google's documented bypass value.
    expect(toGeminiRequest('g', { system: [], messages: [synthetic] }).request.contents[0]?.parts[0]).toEqual({
      functionCall: { name: 't', args: {} },
      thoughtSignature: 'skip_thought_signature_validator',
    });
  });

  test('ollama: options block, tool message by tool_name', () => {
    const { body } = toOllamaRequest('llama', { ...options, maxTokens: 7, temperature: 0 });
    expect(body.options).toEqual({ num_predict: 7, temperature: 0 });
    expect(body.messages.at(-2)).toEqual({ role: 'tool', content: '22C', tool_name: 'get_weather', tool_call_id: 'call_1' });
    expect(body.messages[2]).toMatchObject({ tool_calls: [{ id: 'call_1', function: { name: 'get_weather' } }] });
    // Ids we made up for a server that sent none are never sent back.
    const made = toOllamaRequest('llama', {
      system: [],
      messages: [
        { role: 'assistant', content: [{ type: 'tool-call', toolCallId: `${syntheticOllamaCallIdPrefix}1`, toolName: 't', input: {} }] },
        { role: 'tool', results: [{ toolCallId: `${syntheticOllamaCallIdPrefix}1`, toolName: 't', output: 'x' }] },
      ],
    }).body.messages;
    expect(made).toEqual([
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 't', arguments: {} } }] },
      { role: 'tool', content: 'x', tool_name: 't' },
    ]);
  });
});

describe('finish reasons', () => {
  test.each([
    [mapAnthropicStopReason('end_turn'), 'stop'],
    [mapAnthropicStopReason('max_tokens'), 'length'],
    [mapAnthropicStopReason('tool_use'), 'tool-calls'],
    [mapAnthropicStopReason('refusal'), 'content-filter'],
    [mapOpenAIFinishReason('stop', true), 'tool-calls'],
    [mapOpenAIFinishReason('content_filter', false), 'content-filter'],
    [mapGeminiFinishReason('STOP', true), 'tool-calls'],
    [mapGeminiFinishReason('MAX_TOKENS', false), 'length'],
    [mapGeminiFinishReason('SAFETY', false), 'content-filter'],
    [mapOllamaDoneReason('stop', true), 'tool-calls'],
    [mapOllamaDoneReason('length', false), 'length'],
  ])('%s is %s', (actual, expected) => expect(actual).toBe(expected));
});

describe('stream folding with recorded payloads', () => {
  test('anthropic tool_use from input_json_delta fragments (messages.stream.tool-loop.turn1.sse)', () => {
    const state = new AnthropicStreamState((json) => JSON.parse(json) as Record<string, unknown>, []);
    const events = [
      { type: 'message_start', message: { model: 'claude-opus-4-7', usage: { input_tokens: 798, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_01M8nJQQMxqpv1VaPYuJKT4j', name: 'get_weather', input: {} } },
      { type: 'ping' },
      ...['', '{"city": ', '"Pa', 'ris"}'].map((partial_json) => ({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json } })),
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { input_tokens: 798, output_tokens: 66 } },
      { type: 'message_stop' },
    ];
    const parts = events.flatMap((event) => state.handle(event));
    expect(parts).toEqual([{ type: 'tool-call', call: { type: 'tool-call', toolCallId: 'toolu_01M8nJQQMxqpv1VaPYuJKT4j', toolName: 'get_weather', input: { city: 'Paris' } } }]);
    expect(state.done).toBe(true);
    expect(state.result()).toMatchObject({ finishReason: 'tool-calls', usage: { inputTokens: 798, outputTokens: 66 } });
  });

  test('openai forced tool call ends with finish_reason stop (chat.stream.forced-tool.sse)', () => {
    const state = new OpenAIStreamState((json) => JSON.parse(json) as Record<string, unknown>, []);
    const chunks = [
      { choices: [{ delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_5wBV', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, finish_reason: null }] },
      ...['{"', 'city', '":"', 'Paris', '"}'].map((args) => ({ choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: args } }] }, finish_reason: null }] })),
      { choices: [{ delta: {}, finish_reason: 'stop' }] },
      { choices: [], usage: { prompt_tokens: 67, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 0 } } },
    ];
    const parts = chunks.flatMap((chunk) => state.handle(chunk));
    expect(parts).toHaveLength(1);
    expect(state.result()).toMatchObject({ finishReason: 'tool-calls', usage: { inputTokens: 67, outputTokens: 5 } });
    expect(mapOpenAIUsage({ prompt_tokens: 100, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 40 } })).toEqual({ inputTokens: 60, outputTokens: 1, cacheReadTokens: 40, cacheWriteTokens: 0 });
  });

  test('gemini: thoughts tokens count as output, a call without id gets a synthetic one', () => {
    const state = new GeminiStreamState([], () => 'gemini-call-1');
    state.handle({
      candidates: [{ content: { parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'CiQB' } as never] }, finishReason: 'STOP' }],
      usageMetadata: { promptTokenCount: 55, candidatesTokenCount: 15, thoughtsTokenCount: 45 },
    });
    expect(state.result()).toMatchObject({
      finishReason: 'tool-calls',
      usage: { inputTokens: 55, outputTokens: 60 },
      content: [{ toolCallId: 'gemini-call-1', providerMetadata: { gemini: { thoughtSignature: 'CiQB' } } }],
    });
  });
});

describe('error classification', () => {
  test.each([
    [429, {}, 'rate_limited'],
    [529, { codes: ['overloaded_error'] }, 'overloaded'],
    [undefined, { codes: ['overloaded_error'] }, 'overloaded'],
    [503, {}, 'overloaded'],
    [500, {}, 'server_error'],
    [502, {}, 'server_error'],
    [504, {}, 'timeout'],
    [401, {}, 'auth'],
    [400, { codes: ['INVALID_ARGUMENT', 'API_KEY_INVALID'] }, 'auth'],
    [400, { codes: ['context_length_exceeded'] }, 'context_length'],
    [400, { message: 'prompt is too long: 210000 tokens > 200000 maximum' }, 'context_length'],
    [400, {}, 'invalid_request'],
    [404, {}, 'unavailable'],
    [429, { codes: ['insufficient_quota'] }, 'unavailable'],
  ] as const)('status %s %j -> %s', (status, hints, expected) => expect(classifyHttpStatus(status, { ...hints, codes: [...(('codes' in hints && hints.codes) || [])] })).toBe(expected));

  test('retry-after forms', () => {
    expect(parseRetryAfter({ 'retry-after': '7' })).toBe(7000);
    expect(parseRetryAfter({ 'retry-after': '1', 'retry-after-ms': '974' })).toBe(974);
    expect(parseRetryAfter(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4_000)).toBe(6000);
    expect(parseRetryAfter({ 'retry-after': 'soon' })).toBeUndefined();
    expect(parseRetryDelay('7.5s')).toBe(7500);
    expect(parseRetryDelay(7)).toBeUndefined();
  });

  test('gemini ApiError body with RetryInfo (errors/gemini-429.json)', () => {
    const error = Object.assign(new Error('{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"7s"}]}}'), { name: 'ApiError', status: 429 });
    expect(readGeminiError(error)).toMatchObject({ status: 429, retryAfterMs: 7000, message: 'quota' });
  });

  test('scrubSecret removes every occurrence', () => {
    expect(scrubSecret('key sk-abc123 and sk-abc123', 'sk-abc123')).toBe('key [redacted] and [redacted]');
  });
});

describe('registry', () => {
  test('key status per provider type and base URL precedence', () => {
    const anthropic = { name: 'anthropic', type: 'anthropic' as const };
    expect(providerKeyStatus(anthropic, {})).toMatchObject({ envVars: ['ANTHROPIC_API_KEY'], isSet: false, reason: 'ANTHROPIC_API_KEY is not set', baseUrl: 'https://api.anthropic.com' });
    expect(providerKeyStatus(anthropic, { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/' })).toMatchObject({ isSet: true, baseUrl: 'http://127.0.0.1:9' });
    expect(providerKeyStatus({ ...anthropic, baseUrl: 'http://config' }, { ANTHROPIC_BASE_URL: 'http://env' }).baseUrl).toBe('http://config');
    expect(providerKeyStatus({ name: 'gemini', type: 'gemini' }, { GEMINI_API_KEY: 'g' })).toMatchObject({ isSet: true, source: 'GEMINI_API_KEY' });
    expect(providerKeyStatus({ name: 'ollama', type: 'ollama' }, { OLLAMA_HOST: '0.0.0.0' })).toMatchObject({ required: false, isSet: true, baseUrl: 'http://127.0.0.1:11434' });
    expect(providerKeyStatus({ name: 'lm', type: 'openai-compatible' }, {}).reason).toBe("provider 'lm' has no base_url");
    expect(normalizeOllamaHost('localhost:8080')).toBe('http://localhost:8080');
  });
});
