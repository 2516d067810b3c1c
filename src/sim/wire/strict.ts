// Request checks the real APIs make and a lenient simulator would not: each rule answers the 400 the
// vendor answers, with its wording, so an adapter that builds a shape the vendor rejects fails in
// tests too. Only rules with a known vendor error are here; the quoted messages come from vendor
// docs, SDK docs and error bodies quoted in public issues (named per rule).

import type { SimApi } from '../script.js';

export interface Rejection {
  message: string;
  /** OpenAI `error.code` / `error.param`. */
  code?: string;
  param?: string;
}

type Body = Record<string, unknown>;
type Headers = Record<string, string | string[] | undefined>;

const records = (value: unknown): Body[] => (Array.isArray(value) ? value.filter((item): item is Body => typeof item === 'object' && item !== null) : []);
const header = (headers: Headers, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

function anthropic(body: Body, headers: Headers): Rejection | undefined {
  // API version 2026-10-21 (sent by @anthropic-ai/sdk 1.x) removed the sampling settings, even at their defaults.
  if ((header(headers, 'anthropic-version') ?? '2023-06-01') >= '2026-10-21')
    for (const setting of ['temperature', 'top_p', 'top_k']) if (setting in body) return { message: `${setting}: Extra inputs are not permitted` };
  const messages = records(body.messages);
  const blocks = [...records(body.system), ...records(body.tools), ...messages.flatMap((message) => records(message.content))];
  const breakpoints = blocks.filter((block) => block.cache_control).length + (body.cache_control ? 1 : 0);
  // envoyproxy/ai-gateway#1712, vellum-ai/vellum-assistant#23506.
  if (breakpoints > 4) return { message: `A maximum of 4 blocks with cache_control may be provided. Found ${breakpoints}.` };
  // warpdotdev/warp#6276, anthropics/claude-code#23440.
  for (const [field, list] of [['system', records(body.system)], ['messages', messages.flatMap((message) => records(message.content))]] as const) {
    for (const block of list) {
      if (block.type !== 'text' || typeof block.text !== 'string') continue;
      if (block.text === '') return { message: `${field}: text content blocks must be non-empty` };
      if (block.text.trim() === '') return { message: `${field}: text content blocks must contain non-whitespace text` };
    }
  }
  for (const [index, message] of messages.entries()) {
    const content = message.content;
    const optional = index === messages.length - 1 && message.role === 'assistant';
    if ((content === '' || (Array.isArray(content) && content.length === 0)) && !optional)
      return { message: `messages.${index}: all messages must have non-empty content except for the optional final assistant message` };
    const previous = messages[index - 1];
    const called = records(previous?.content).filter((block) => block.type === 'tool_use');
    if (called.length === 0) continue;
    // Tool results open the next user turn, for every call (Anthropic tool-use docs).
    const leading = records(content);
    const firstOther = leading.findIndex((block) => block.type !== 'tool_result');
    const results = new Set(leading.slice(0, firstOther === -1 ? leading.length : firstOther).map((block) => block.tool_use_id));
    const missing = called.filter((block) => !results.has(block.id)).map((block) => String(block.id));
    if (missing.length > 0)
      return {
        message: `messages.${index - 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
      };
  }
  // Structured outputs arrived with the API version SDK 1.x speaks; an older pinned version has no such field.
  if (body.output_config !== undefined && (header(headers, 'anthropic-version') ?? '2023-06-01') < '2026-10-21')
    return { message: 'output_config: Extra inputs are not permitted' };
  // BerriAI/litellm#3286, MegaGrindStone/mcp-web-ui#5.
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.some((stop) => typeof stop !== 'string' || stop.trim() === ''))
    return { message: 'stop_sequences: each stop sequence must contain non-whitespace' };
  return undefined;
}

/** The simulator's own reading of OpenAI's reasoning models (o-series, gpt-5 and later, not `-chat`). */
function openAIReasoning(model: string): boolean {
  const gpt = /^gpt-(\d+)(?:\.\d+)?(-chat)?/.exec(model);
  return gpt ? Number(gpt[1]) >= 5 && !gpt[2] : /^o\d/.test(model);
}

/** Structured Outputs strict mode: every object closed and fully required (OpenAI "Supported schemas"). */
function strictSchemaProblem(schema: unknown, path: string): string | undefined {
  if (Array.isArray(schema)) return schema.map((item, index) => strictSchemaProblem(item, `${path}[${index}]`)).find(Boolean);
  if (typeof schema !== 'object' || schema === null) return undefined;
  const node = schema as Body;
  if (node.type === 'object' || node.properties !== undefined) {
    if (node.additionalProperties !== false) return `In context=(${path}), 'additionalProperties' is required to be supplied and to be false.`;
    const required = Array.isArray(node.required) ? node.required : [];
    const missing = Object.keys((node.properties as Body | undefined) ?? {}).find((name) => !required.includes(name));
    if (missing) return `In context=(${path}), 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`;
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'enum' || key === 'const' || key === 'default') continue;
    const problem = strictSchemaProblem(value, path ? `${path}, '${key}'` : `'${key}'`);
    if (problem) return problem;
  }
  return undefined;
}

function openai(body: Body): Rejection | undefined {
  const format = body.response_format as Body | undefined;
  const jsonSchema = format?.json_schema as Body | undefined;
  if (format?.type === 'json_schema' && jsonSchema?.strict === true) {
    const problem = strictSchemaProblem(jsonSchema.schema, '');
    if (problem) return { message: `Invalid schema for response_format '${String(jsonSchema.name)}': ${problem}`, param: 'response_format', code: 'invalid_json_schema' };
  }
  if (body.stream_options !== undefined && body.stream_options !== null && body.stream !== true)
    return { message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param: 'stream_options', code: 'invalid_value' };
  for (const [index, message] of records(body.messages).entries())
    if (message.role === 'assistant' && (message.content === null || message.content === undefined) && records(message.tool_calls).length === 0)
      return { message: "Invalid value for 'content': expected a string, got null.", param: `messages.[${index}].content`, code: 'invalid_type' };
  if (!openAIReasoning(String(body.model ?? ''))) return undefined;
  // The SDK: max_tokens "is not compatible with o-series models"; stop "not supported with latest reasoning models".
  if (body.max_tokens !== undefined)
    return { message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", param: 'max_tokens', code: 'unsupported_parameter' };
  if (body.stop !== undefined) return { message: "Unsupported parameter: 'stop' is not supported with this model.", param: 'stop', code: 'unsupported_parameter' };
  // openai/openai-python#2104 and community reports for gpt-5.
  for (const setting of ['temperature', 'top_p'])
    if (body[setting] !== undefined && body[setting] !== 1)
      return {
        message: `Unsupported value: '${setting}' does not support ${String(body[setting])} with this model. Only the default (1) value is supported.`,
        param: setting,
        code: 'unsupported_value',
      };
  return undefined;
}

/** opencode#12295: "If a schema node has $ref set, then only description and default can be set alongside it". */
function refWithSiblings(schema: unknown): string | undefined {
  if (Array.isArray(schema)) return schema.map(refWithSiblings).find(Boolean);
  if (typeof schema !== 'object' || schema === null) return undefined;
  const node = schema as Body;
  if (typeof node.$ref === 'string' && Object.keys(node).some((key) => !['$ref', 'description', 'default'].includes(key))) return node.$ref;
  return Object.values(node).map(refWithSiblings).find(Boolean);
}

function gemini(body: Body, model: string): Rejection | undefined {
  const contents = records(body.contents);
  // chatwise-releases#250, vercel/ai#3775.
  for (const [index, content] of contents.entries())
    if (records(content.parts).length === 0)
      return { message: `* GenerateContentRequest.contents[${index}].parts: contents.parts must not be empty.\n` };
  const config = (body.tools ?? (body.config as Body | undefined)?.tools) as unknown;
  for (const declaration of records(config).flatMap((tool) => records(tool.functionDeclarations))) {
    const ref = refWithSiblings(declaration.parametersJsonSchema);
    if (ref) return { message: `$ref '${ref}' was set alongside unsupported fields. If a schema node has $ref set, then only description and default can be set alongside it.` };
  }
  const generation = body.generationConfig as Body | undefined;
  if (generation?.responseMimeType === 'application/json' && records(config).length > 0 && Number(/^gemini-(\d+)/.exec(model)?.[1] ?? 0) < 3)
    return { message: "Function calling with a response mime type: 'application/json' is unsupported" };
  // Gemini 3 and later: the first function call of each model step in the current turn must carry its signature.
  const major = Number(/^gemini-(\d+)/.exec(model)?.[1] ?? 0);
  if (major < 3) return undefined;
  const lastUserText = contents.findLastIndex((content) => content.role === 'user' && records(content.parts).some((part) => typeof part.text === 'string'));
  for (const content of contents.slice(lastUserText + 1)) {
    const calls = records(content.parts).filter((part) => part.functionCall);
    const first = calls[0];
    if (content.role === 'model' && first && !first.thoughtSignature) {
      const name = String((first.functionCall as Body).name);
      return {
        message: `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${name}\`, position ${records(content.parts).indexOf(first) + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`,
      };
    }
  }
  return undefined;
}

/** The 400 a real server would answer for this request, if any. */
export function rejectionFor(api: SimApi, body: Body, headers: Headers, model: string): Rejection | undefined {
  switch (api) {
    case 'anthropic':
      return anthropic(body, headers);
    case 'openai':
      return openai(body);
    case 'gemini':
      return gemini(body, model);
    case 'ollama':
      return undefined;
  }
}
