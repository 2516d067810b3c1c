// Native structured output through each real SDK against the wire simulator: the request carries the
// vendor's own field (OpenAI response_format, Anthropic output_config or a forced tool, Gemini
// responseJsonSchema, Ollama format), and the simulator's unscripted answer fits the schema.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLanguageModel } from '../../src/providers/registry.js';
import type { StreamPart } from '../../src/providers/types.js';
import { checkAgainstSchema } from '../../src/run/output.js';
import { qualifiesForOpenAIStrict } from '../../src/providers/json-schema/openai-strict.js';
import { toGeminiRequest } from '../../src/providers/gemini/convert-prompt.js';
import { toOllamaRequest } from '../../src/providers/ollama/convert-prompt.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { keyEnv, modelSpec, providerCases, userCall, weatherTool } from './helpers.js';

let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator();
});
afterAll(() => simulator.close());

const answerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['answer', 'sources', 'confidence'],
  properties: {
    answer: { type: 'string', minLength: 3 },
    sources: { type: 'array', items: { type: 'string', format: 'uri' } },
    confidence: { type: 'string', enum: ['low', 'high'] },
  },
};
const responseFormat = { name: 'research.er', schema: answerSchema };

function nativeField(type: string, body: Record<string, unknown>): unknown {
  switch (type) {
    case 'openai':
    case 'openai-compatible':
      return body.response_format;
    case 'anthropic':
      return body.output_config;
    case 'gemini':
      return (body.generationConfig as Record<string, unknown> | undefined)?.responseJsonSchema;
    default:
      return body.format;
  }
}

const textOf = (content: Array<{ type: string; text?: string }>) => content.map((part) => part.text ?? '').join('');

describe.each(providerCases)('$type sends the output schema natively', (testCase) => {
  test.each([false, true])('stream=%s: native field present, the answer validates', async (streaming) => {
    const model = createLanguageModel(modelSpec(testCase, simulator), keyEnv());
    const options = userCall('Answer as JSON', { responseFormat });
    let text: string;
    if (streaming) {
      const parts: StreamPart[] = [];
      for await (const part of model.stream(options)) parts.push(part);
      const finish = parts.at(-1);
      if (finish?.type !== 'finish') throw new Error('no finish');
      text = textOf(finish.result.content);
    } else text = textOf((await model.generate(options)).content);
    const request = simulator.requests.at(-1);
    expect(request?.status).toBe(200);
    expect(nativeField(testCase.type, request?.body ?? {})).toBeTruthy();
    expect(await checkAgainstSchema(text, answerSchema)).toMatchObject({ ok: true });
  });
});

describe('vendor specifics', () => {
  const openai = providerCases.find((testCase) => testCase.type === 'openai');
  const anthropic = providerCases.find((testCase) => testCase.type === 'anthropic');
  if (!openai || !anthropic) throw new Error('cases missing');

  test('OpenAI: strict only when the schema qualifies; the name is sanitised', async () => {
    expect(qualifiesForOpenAIStrict(answerSchema)).toBe(false); // minLength is not a strict keyword
    const closed = { type: 'object', additionalProperties: false, required: ['a'], properties: { a: { type: 'string' } } };
    expect(qualifiesForOpenAIStrict(closed)).toBe(true);
    expect(qualifiesForOpenAIStrict({ ...closed, required: [] })).toBe(false);
    expect(qualifiesForOpenAIStrict({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] })).toBe(false);
    const model = createLanguageModel(modelSpec(openai, simulator), keyEnv());
    await model.generate(userCall('x', { responseFormat: { name: 'my agent!', schema: closed } }));
    expect(simulator.requests.at(-1)?.body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'my_agent_', schema: closed, strict: true } });
  });

  test('Anthropic pinned to 2023-06-01: a forced output tool whose call comes back as the answer text', async () => {
    const pinned = modelSpec(anthropic, simulator, { headers: { 'anthropic-version': '2023-06-01' } });
    const model = createLanguageModel(pinned, keyEnv());
    const result = await model.generate(userCall('x', { responseFormat }));
    const body = simulator.requests.at(-1)?.body ?? {};
    expect(body.output_config).toBeUndefined();
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'agentpipe_output' });
    expect(result.finishReason).toBe('stop');
    expect(result.content.every((part) => part.type === 'text')).toBe(true);
    expect(await checkAgainstSchema(textOf(result.content), answerSchema)).toMatchObject({ ok: true });
    // With real tools beside it the model must call one of them; the output tool ends the loop.
    await model.generate(userCall('x', { responseFormat, tools: [weatherTool] }));
    expect(simulator.requests.at(-1)?.body.tool_choice).toEqual({ type: 'any' });
  });

  test('Anthropic strips the constraints structured outputs lack, and says so', async () => {
    const model = createLanguageModel(modelSpec(anthropic, simulator), keyEnv());
    const result = await model.generate(userCall('x', { responseFormat }));
    const sent = (simulator.requests.at(-1)?.body.output_config as { format: { schema: Record<string, unknown> } }).format.schema;
    expect(JSON.stringify(sent)).not.toContain('minLength');
    expect(result.warnings.map((warning) => warning.message).join('\n')).toMatch(/minLength.*stripped/);
  });

  test('Gemini: unsupported keywords stripped and noted; no JSON mime type beside tools on 2.x', () => {
    const withPattern = { ...answerSchema, properties: { ...answerSchema.properties, answer: { type: 'string', pattern: '^A' } } };
    const { request, warnings } = toGeminiRequest('gemini-2.5-flash', userCall('x', { responseFormat: { name: 'a', schema: withPattern } }));
    expect(request.config.responseMimeType).toBe('application/json');
    expect(JSON.stringify(request.config.responseJsonSchema)).not.toContain('pattern');
    expect(warnings.map((warning) => warning.message).join('\n')).toMatch(/gemini does not support pattern.*stripped/);
    expect(toGeminiRequest('gemini-2.5-flash', userCall('x', { responseFormat, tools: [weatherTool] })).request.config.responseJsonSchema).toBeUndefined();
    expect(toGeminiRequest('gemini-3-pro', userCall('x', { responseFormat, tools: [weatherTool] })).request.config.responseJsonSchema).toBeDefined();
  });

  test('Ollama: $ref/$defs are inlined in tool parameters and in format', () => {
    const withRefs = { type: 'object', properties: { city: { $ref: '#/$defs/City' } }, required: ['city'], $defs: { City: { type: 'string' } } };
    const { body } = toOllamaRequest('llama3.2', userCall('x', { tools: [{ name: 't', description: 'd', inputSchema: withRefs }], responseFormat: { name: 'o', schema: withRefs } }));
    expect(body.tools?.[0]?.function.parameters).toEqual({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] });
    expect(body.format).toEqual({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] });
  });
});
