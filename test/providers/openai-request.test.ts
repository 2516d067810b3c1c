// What the OpenAI converter sends to OpenAI itself versus to OpenAI-compatible servers, and how
// tool-call arguments are decoded. Pure: no network.

import { describe, expect, test } from 'vitest';
import { toOpenAIRequest } from '../../src/providers/openai/convert-prompt.js';
import { isOpenAIReasoningModel } from '../../src/providers/openai/model-capabilities.js';
import { OpenAIStreamState } from '../../src/providers/openai/stream-state.js';
import { decodeToolArguments, parseToolArguments, type AdapterSettings } from '../../src/providers/call-scope.js';
import { ProviderError } from '../../src/providers/errors.js';
import type { CallOptions } from '../../src/providers/types.js';

const call: CallOptions = { system: [{ text: 'Be brief.' }], messages: [{ role: 'user', content: 'hi' }] };
const tuned: CallOptions = { ...call, maxTokens: 100, temperature: 0.2, topP: 0.9, stopSequences: ['END'] };

test.each([
  ['o1', true],
  ['o3-mini-2025-01-31', true],
  ['o4-mini', true],
  ['codex-mini-latest', true],
  ['gpt-5', true],
  ['gpt-5-mini-2025-08-07', true],
  ['gpt-5.1', true],
  ['gpt-6', true],
  ['gpt-5-chat-latest', false],
  ['gpt-5.1-chat-latest', false],
  ['gpt-4.1', false],
  ['gpt-4o-mini', false],
  ['omni-moderation-latest', false],
  ['GPT-5', true],
])('%s is a reasoning model: %s', (model, expected) => expect(isOpenAIReasoningModel(model)).toBe(expected));

describe('reasoning models', () => {
  test('get max_completion_tokens and no temperature, top_p or stop; each drop is a warning', () => {
    const { body, warnings } = toOpenAIRequest('gpt-5-mini', tuned, { compatible: false });
    expect(body.max_completion_tokens).toBe(100);
    for (const key of ['max_tokens', 'temperature', 'top_p', 'stop']) expect(body).not.toHaveProperty(key);
    expect(warnings.map((warning) => [warning.type, warning.setting])).toEqual([
      ['unsupported-setting', 'temperature'],
      ['unsupported-setting', 'topP'],
      ['unsupported-setting', 'stopSequences'],
    ]);
  });

  test('the default temperature and top_p (1) are left out without a warning', () => {
    const { body, warnings } = toOpenAIRequest('o3', { ...call, temperature: 1, topP: 1 }, { compatible: false });
    expect(body).not.toHaveProperty('temperature');
    expect(warnings).toEqual([]);
  });

  test('non-reasoning OpenAI models keep every setting, with max_completion_tokens', () => {
    const { body, warnings } = toOpenAIRequest('gpt-4.1', tuned, { compatible: false });
    expect(body).toMatchObject({ max_completion_tokens: 100, temperature: 0.2, top_p: 0.9, stop: ['END'] });
    expect(body).not.toHaveProperty('max_tokens');
    expect(warnings).toEqual([]);
  });

  test('compatible servers get max_tokens and every setting, whatever the model is called', () => {
    const { body, warnings } = toOpenAIRequest('o3-distill-local', tuned, { compatible: true });
    expect(body).toMatchObject({ max_tokens: 100, temperature: 0.2, top_p: 0.9, stop: ['END'] });
    expect(body).not.toHaveProperty('max_completion_tokens');
    expect(warnings).toEqual([]);
  });
});

test('stream and stream_options only on a streaming request', () => {
  expect(toOpenAIRequest('gpt-4.1', call, { compatible: false }).body).not.toHaveProperty('stream_options');
  expect(toOpenAIRequest('gpt-4.1', call, { compatible: false }).body).not.toHaveProperty('stream');
  expect(toOpenAIRequest('gpt-4.1', call, { compatible: true, stream: true }).body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
});

test('an assistant turn without text or calls sends "" (content is required unless tool_calls is set)', () => {
  const { body } = toOpenAIRequest('gpt-4.1', { ...call, messages: [...call.messages, { role: 'assistant', content: [] }, { role: 'user', content: 'again' }] }, { compatible: false });
  expect(body.messages[2]).toEqual({ role: 'assistant', content: '' });
});

describe('tool-call arguments', () => {
  test.each([
    ['{"city":"Paris"}', { city: 'Paris' }],
    ['', {}],
    ['  ', {}],
    ['null', {}],
    ['"{\\"city\\":\\"Paris\\"}"', { city: 'Paris' }],
    ['{"city":', undefined],
    ['[1,2]', undefined],
    ['"just text"', undefined],
    ['42', undefined],
  ])('%j decodes to %j', (text, expected) => expect(decodeToolArguments(text)).toEqual(expected));

  const settings: AdapterSettings = { providerName: 'openai', modelId: 'gpt-4.1', id: 'openai/gpt-4.1', baseUrl: '', timeoutMs: 1000 };

  test('undecodable arguments are a retryable server_error naming the tool, not quoting the arguments', () => {
    const error = (() => {
      try {
        parseToolArguments(settings, '{"path": "/etc/secret-value"', 'read');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ errorClass: 'server_error', retryable: true, model: 'openai/gpt-4.1' });
    expect(String(error)).toContain("'read'");
    expect(String(error)).not.toContain('secret-value');
  });

  test('a stream whose tool-call arguments are broken ends in that typed error, not a TypeError', () => {
    const state = new OpenAIStreamState((json, name) => parseToolArguments(settings, json, name), []);
    state.handle({ choices: [{ delta: { tool_calls: [{ index: 0, id: 'call_1', function: { name: 'read', arguments: '{"path":' } }] } }] });
    expect(() => state.handle({ choices: [{ delta: {}, finish_reason: 'tool_calls' }] })).toThrow(ProviderError);
  });
});
