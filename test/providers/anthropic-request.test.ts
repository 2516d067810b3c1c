// What the Anthropic converter sends, checked against what the real Messages API refuses (quoted in
// src/sim/wire/strict.ts): cache breakpoints, empty text, tool_result placement, stop sequences, and
// the sampling settings API 2026-10-21 removed. Pure: no network.

import { afterEach, describe, expect, test, vi } from 'vitest';
import { anthropicSystem, toAnthropicRequest } from '../../src/providers/anthropic/convert-prompt.js';
import { anthropicApiVersion, sdkAnthropicVersion } from '../../src/providers/anthropic/api-version.js';
import { withSdkWarnings } from '../../src/providers/anthropic/anthropic-model.js';
import type { CallWarning, Message, SystemPart } from '../../src/providers/types.js';

const user = (content: string): Message => ({ role: 'user', content });

describe('cache breakpoints', () => {
  const breakpoints = (system: SystemPart[]) => anthropicSystem(system).flatMap((block, index) => (block.cache_control ? [index] : []));

  test('one breakpoint, on the last part of the leading cacheable run, however many layers there are', () => {
    const layers = Array.from({ length: 7 }, (_, index) => ({ text: `layer ${index}`, cacheable: true }));
    expect(breakpoints([...layers, { text: 'Today is Monday.' }, { text: 'late layer', cacheable: true }])).toEqual([6]);
    expect(breakpoints(layers)).toEqual([6]);
  });

  test('no breakpoint when the prompt does not start with a cacheable part, or has none', () => {
    expect(breakpoints([{ text: 'Today is Monday.' }, { text: 'layer', cacheable: true }])).toEqual([]);
    expect(breakpoints([{ text: 'a' }, { text: 'b' }])).toEqual([]);
  });

  test('empty parts are left out before the breakpoint is placed', () => {
    expect(anthropicSystem([{ text: 'layer', cacheable: true }, { text: '  \n', cacheable: true }, { text: 'now' }])).toEqual([
      { type: 'text', text: 'layer', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'now' },
    ]);
  });
});

describe('empty text is never sent', () => {
  test('whitespace-only text blocks and the messages they empty are dropped; alternation still holds', () => {
    const { body, warnings } = toAnthropicRequest('claude', {
      system: [],
      messages: [
        user('First'),
        { role: 'assistant', content: [{ type: 'text', text: '\n\n' }] },
        user('   '),
        user('Second'),
        { role: 'assistant', content: [{ type: 'text', text: '' }, { type: 'tool-call', toolCallId: 't1', toolName: 'ls', input: {} }] },
        { role: 'tool', results: [{ toolCallId: 't1', toolName: 'ls', output: '' }] },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'First' }, { type: 'text', text: 'Second' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'ls', input: {} }] },
      // An empty tool output goes without `content` (optional in ToolResultBlockParam), never as "".
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1' }] },
    ]);
    expect(warnings).toEqual([expect.objectContaining({ type: 'other', message: expect.stringContaining('whitespace') })]);
    for (const message of body.messages) expect(message.content.length).toBeGreaterThan(0);
  });
});

test('tool_result blocks open the user turn even when user text came first', () => {
  const { body } = toAnthropicRequest('claude', {
    system: [],
    messages: [
      user('go'),
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 't1', toolName: 'ls', input: {} }] },
      user('also this'),
      { role: 'tool', results: [{ toolCallId: 't1', toolName: 'ls', output: 'a.txt', isError: true }] },
    ],
  });
  expect(body.messages[2]?.content).toEqual([
    { type: 'tool_result', tool_use_id: 't1', content: 'a.txt', is_error: true },
    { type: 'text', text: 'also this' },
  ]);
});

test('whitespace-only stop sequences are dropped with a warning', () => {
  const { body, warnings } = toAnthropicRequest('claude', { system: [], messages: [user('hi')], stopSequences: ['\n', 'END'] });
  expect(body.stop_sequences).toEqual(['END']);
  expect(warnings).toEqual([expect.objectContaining({ type: 'unsupported-setting', setting: 'stopSequences' })]);
  expect(toAnthropicRequest('claude', { system: [], messages: [user('hi')], stopSequences: [' '] }).body).not.toHaveProperty('stop_sequences');
});

test('max_tokens: the call, then the model config, then 4096', () => {
  const options = { system: [], messages: [user('hi')] };
  expect(toAnthropicRequest('claude', { ...options, maxTokens: 10 }, { maxOutputTokens: 64000 }).body.max_tokens).toBe(10);
  expect(toAnthropicRequest('claude', options, { maxOutputTokens: 64000 }).body.max_tokens).toBe(64000);
  expect(toAnthropicRequest('claude', options).body.max_tokens).toBe(4096);
});

test('the API version: a provider header (any case) pins it, else the SDK default', () => {
  expect(anthropicApiVersion(undefined)).toBe(sdkAnthropicVersion);
  expect(anthropicApiVersion({ 'Anthropic-Version': '2023-06-01' })).toBe('2023-06-01');
  expect(anthropicApiVersion({ 'x-other': '1' })).toBe('2026-10-21');
});

describe('SDK console warnings', () => {
  afterEach(() => vi.restoreAllMocks());

  test('console.warn inside the call becomes a call warning; console.warn is restored after', () => {
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const warnings: CallWarning[] = [];
    const value = withSdkWarnings(warnings, () => {
      console.warn("The model 'claude-x' is deprecated");
      return 42;
    });
    expect(value).toBe(42);
    expect(warnings).toEqual([{ type: 'other', message: "The model 'claude-x' is deprecated" }]);
    expect(spy).not.toHaveBeenCalled();
    console.warn('after');
    expect(spy).toHaveBeenCalledWith('after');
  });

  test('console.warn is restored when the call throws', () => {
    const original = console.warn;
    expect(() => withSdkWarnings([], () => { throw new Error('boom'); })).toThrow('boom');
    expect(console.warn).toBe(original);
  });
});
