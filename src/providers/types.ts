// The one model contract every adapter implements, modelled on vercel/ai's LanguageModelV3:
// small, vendor-neutral, results as tagged unions. Nothing outside src/providers imports an SDK.

/** A parsed `provider/model` id. Parse once with `parseModelRef`; never split strings elsewhere. */
export interface ModelRef {
  provider: string;
  model: string;
  /** `provider/model` as written. */
  id: string;
}

export function parseModelRef(id: string): ModelRef | undefined {
  const slash = id.indexOf('/');
  if (slash <= 0 || slash === id.length - 1) return undefined;
  return { provider: id.slice(0, slash), model: id.slice(slash + 1), id };
}

/** A system prompt part. `cacheable` parts are stable across runs (Anthropic gets `cache_control`). */
export interface SystemPart {
  text: string;
  cacheable?: boolean;
}

export type Message =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: AssistantContent[] }
  | { role: 'tool'; results: ToolResultContent[] };

export type AssistantContent = TextContent | ToolCallContent;

export interface TextContent {
  type: 'text';
  text: string;
}

export interface ToolCallContent {
  type: 'tool-call';
  /** Provider's call id; adapters synthesise one when the protocol has none (Gemini, old Ollama). */
  toolCallId: string;
  toolName: string;
  /** Parsed JSON arguments. */
  input: Record<string, unknown>;
  /** Opaque provider data that must be echoed back on the next turn (Gemini `thoughtSignature`). */
  providerMetadata?: Record<string, unknown>;
}

export interface ToolResultContent {
  toolCallId: string;
  toolName: string;
  /** Tool output as text (JSON-stringified when structured). */
  output: string;
  isError?: boolean;
}

export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON Schema (object) of the tool's arguments. */
  inputSchema: Record<string, unknown>;
}

export interface CallSettings {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
  /** Per-call timeout in ms; the chain turns an expiry into a `timeout` error. */
  timeoutMs?: number;
  abortSignal?: AbortSignal;
  /** Provider-specific options, namespaced: `{ anthropic: {...}, openai: {...} }`. */
  providerOptions?: Record<string, Record<string, unknown>>;
}

/**
 * The JSON Schema the final answer must match (an agent's `output.schema`). Adapters send it with
 * the vendor's native structured-output field; the agent loop still validates and repairs.
 */
export interface ResponseFormat {
  /** A name for the schema (the agent's name); adapters sanitise it to what the vendor accepts. */
  name: string;
  schema: Record<string, unknown>;
}

export interface CallOptions extends CallSettings {
  system: SystemPart[];
  messages: Message[];
  tools?: ToolDefinition[];
  responseFormat?: ResponseFormat;
}

export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';

/** Token usage of one call. `input` excludes cache reads/writes, so each is priced once. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export const emptyUsage = (): Usage => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });

/** A setting the provider cannot honour comes back as data, never as a throw or a silent drop. */
export interface CallWarning {
  type: 'unsupported-setting' | 'other';
  setting?: string;
  message: string;
}

export interface GenerateResult {
  content: AssistantContent[];
  finishReason: FinishReason;
  usage: Usage;
  warnings: CallWarning[];
  /** The model id the provider says it ran. */
  responseModel?: string;
}

export type StreamPart =
  | { type: 'text-delta'; delta: string }
  | { type: 'tool-call'; call: ToolCallContent }
  | { type: 'finish'; result: GenerateResult };

export interface LanguageModel {
  readonly provider: string;
  readonly modelId: string;
  generate(options: CallOptions): Promise<GenerateResult>;
  /** Yields text deltas and tool calls as they complete, then exactly one `finish`. */
  stream(options: CallOptions): AsyncIterable<StreamPart>;
}

// ---------- embeddings ----------

export interface EmbedOptions {
  /** Texts to embed, in order; the adapter sends them as one request (the caller batches). */
  values: string[];
  /** Per-call timeout in ms. */
  timeoutMs?: number;
  abortSignal?: AbortSignal;
}

export interface EmbedResult {
  /** One vector per value, in the order given. */
  embeddings: number[][];
  /** Tokens the provider counted (an estimate when the protocol reports none, e.g. the Gemini API). */
  usage: Usage;
  /** The model id the provider says it ran. */
  responseModel?: string;
}

/** An embedding model: an ordinary `models:` entry (pricing `output: 0`) reached through the same chain. */
export interface EmbeddingModel {
  readonly provider: string;
  readonly modelId: string;
  /** Most values one request may carry (the vendor's documented limit). */
  readonly maxBatchSize: number;
  embed(options: EmbedOptions): Promise<EmbedResult>;
}
