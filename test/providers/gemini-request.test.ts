// What the Gemini converter sends: tool schemas Gemini accepts, no empty parts, thought signatures on
// every model step, and usage. Pure: no network.

import { describe, expect, test } from 'vitest';
import { foreignCallSignature, toGeminiRequest } from '../../src/providers/gemini/convert-prompt.js';
import { geminiToolSchema } from '../../src/providers/gemini/tool-schema.js';
import { mapGeminiUsage } from '../../src/providers/gemini/stream-state.js';
import type { CallWarning, Message } from '../../src/providers/types.js';

describe('tool schemas for parametersJsonSchema', () => {
  const pydantic = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    properties: {
      task: { $ref: '#/$defs/Task', description: 'The task to add' },
      definitions: { type: 'string', description: 'a property that happens to be called definitions' },
      tags: { type: 'array', items: { $ref: '#/definitions/Tag' } },
    },
    required: ['task'],
    $defs: { Task: { type: 'object', description: 'A task.', properties: { title: { type: 'string' } }, required: ['title'] } },
    definitions: { Tag: { type: 'string', enum: ['a', 'b'] } },
  };

  test('$schema goes, local $refs are inlined (the referrer keeps its description), JSON Schema keywords stay', () => {
    const warnings: CallWarning[] = [];
    const before = JSON.stringify(pydantic);
    expect(geminiToolSchema('add_task', pydantic, warnings)).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        task: { type: 'object', description: 'The task to add', properties: { title: { type: 'string' } }, required: ['title'] },
        definitions: { type: 'string', description: 'a property that happens to be called definitions' },
        tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } },
      },
      required: ['task'],
    });
    // Inlining alone changes nothing the model is told: no warning, and the caller's schema is untouched.
    expect(warnings).toEqual([]);
    expect(JSON.stringify(pydantic)).toBe(before);
  });

  test('a recursive or remote $ref becomes an unconstrained value, with a warning', () => {
    const warnings: CallWarning[] = [];
    const tree = {
      type: 'object',
      properties: { root: { $ref: '#/$defs/Node' }, remote: { $ref: 'https://example.com/s.json' } },
      $defs: { Node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/$defs/Node' } } } } },
    };
    const result = geminiToolSchema('walk', tree, warnings) as { properties: Record<string, unknown> };
    expect(result.properties.root).toEqual({ type: 'object', properties: { children: { type: 'array', items: {} } } });
    expect(result.properties.remote).toEqual({});
    expect(JSON.stringify(result)).not.toContain('$ref');
    expect(warnings).toEqual([{ type: 'other', message: expect.stringMatching(/tool 'walk'.*recursive #\/\$defs\/Node.*unresolvable https/) }]);
  });

  test('the converter sends the prepared schema and passes its warnings on', () => {
    const { request, warnings } = toGeminiRequest('gemini-2.5-flash', {
      system: [],
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ name: 'w', description: 'd', inputSchema: { type: 'object', properties: { x: { $ref: '#/nowhere' } } } }],
    });
    expect(request.config.tools?.[0]?.functionDeclarations[0]?.parametersJsonSchema).toEqual({ type: 'object', properties: { x: {} } });
    expect(warnings).toHaveLength(1);
  });
});

describe('contents', () => {
  const call = (id: string, signature?: string) => ({
    type: 'tool-call' as const,
    toolCallId: id,
    toolName: 'get_weather',
    input: { city: id },
    ...(signature ? { providerMetadata: { gemini: { thoughtSignature: signature } } } : {}),
  });

  test('empty text parts and the turns they empty are never sent', () => {
    const messages: Message[] = [
      { role: 'user', content: 'one' },
      { role: 'assistant', content: [{ type: 'text', text: '' }] },
      { role: 'user', content: '' },
      { role: 'user', content: 'two' },
    ];
    const { request } = toGeminiRequest('g', { system: [{ text: ' ' }], messages });
    expect(request.contents).toEqual([{ role: 'user', parts: [{ text: 'one' }, { text: 'two' }] }]);
    expect(request.config.systemInstruction).toBeUndefined();
  });

  test("Gemini's own parallel calls go back as they came: the signature on the first call only", () => {
    const { request } = toGeminiRequest('g', { system: [], messages: [{ role: 'user', content: 'go' }, { role: 'assistant', content: [call('a', 'SIG'), call('b')] }] });
    expect(request.contents[1]?.parts).toEqual([
      { functionCall: { id: 'a', name: 'get_weather', args: { city: 'a' } }, thoughtSignature: 'SIG' },
      { functionCall: { id: 'b', name: 'get_weather', args: { city: 'b' } } },
    ]);
  });

  test('calls from another model get the documented bypass signature on the first call of each step', () => {
    const { request } = toGeminiRequest('gemini-3-pro', {
      system: [],
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, call('toolu_1'), call('toolu_2')] },
        { role: 'tool', results: [{ toolCallId: 'toolu_1', toolName: 'get_weather', output: '1' }, { toolCallId: 'toolu_2', toolName: 'get_weather', output: '2', isError: true }] },
      ],
    });
    expect(request.contents[1]?.parts.map((part) => ('thoughtSignature' in part ? part.thoughtSignature : undefined))).toEqual([undefined, foreignCallSignature, undefined]);
    expect(request.contents[2]?.parts[1]).toEqual({ functionResponse: { id: 'toolu_2', name: 'get_weather', response: { error: '2' } } });
  });
});

test('usage: cached prompt tokens are cache reads, thinking tokens are output', () => {
  expect(mapGeminiUsage({ promptTokenCount: 1000, cachedContentTokenCount: 600, candidatesTokenCount: 20, thoughtsTokenCount: 80 })).toEqual({
    inputTokens: 400,
    outputTokens: 100,
    cacheReadTokens: 600,
    cacheWriteTokens: 0,
  });
  expect(mapGeminiUsage(undefined)).toEqual({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });
});
