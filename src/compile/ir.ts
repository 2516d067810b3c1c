// The compiled pipeline IR: what `compile` produces, what `run` executes and what `estimate` prices.
// Plain data (JSON-printable for `explain --json`): durations are ms, money is USD, sizes are bytes,
// env vars already interpolated, every reference resolved. Immutable by convention (deep-frozen by compile).

import type { ModelRef } from '../providers/types.js';

/** Where a value came from, for errors and `render --explain`. */
export interface SourceRef {
  file: string;
  line: number;
  col?: number;
}

// ---------- providers and models ----------

export type ProviderType = 'anthropic' | 'openai' | 'gemini' | 'ollama' | 'openai-compatible';

export interface ProviderSpec {
  /** Key in providers.yaml (`anthropic`, `lmstudio`, ...). */
  name: string;
  type: ProviderType;
  /** Explicit base URL from config; when absent the adapter reads the standard env var, then the vendor default. */
  baseUrl?: string;
  /** Env var holding the key (never the key itself). Undefined for keyless providers (ollama). */
  apiKeyEnv?: string;
  /** Extra HTTP headers (non-secret). */
  headers?: Record<string, string>;
  /** Default per-call timeout. */
  timeoutMs?: number;
}

/** USD per 1M tokens. */
export interface Pricing {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  source?: string;
  asOf?: string;
}

export interface ModelSpec {
  ref: ModelRef;
  provider: ProviderSpec;
  pricing: Pricing;
  contextWindow?: number;
  maxOutputTokens?: number;
}

/** Error classes, assigned once at the adapter boundary (providers/errors.ts). */
export type ErrorClass =
  | 'rate_limited'
  | 'overloaded'
  | 'server_error'
  | 'timeout'
  | 'network'
  | 'auth'
  | 'invalid_request'
  | 'context_length'
  | 'unavailable';

export interface RetryPolicy {
  /** Attempts per model, including the first. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  honorRetryAfter: boolean;
}

export interface RateLimit {
  rpm?: number;
  tpm?: number;
}

/** A route resolved into ordered models plus the policies that drive them. */
export interface ModelChain {
  /** Route name, or the `provider/model` id when the agent named a model directly. */
  name: string;
  models: ModelSpec[];
  retry: RetryPolicy;
  fallbackOn: ErrorClass[];
  /** rpm/tpm limits by provider name and by provider/model id (`rate_limits` keys of either kind). */
  rateLimits: Record<string, RateLimit>;
}

// ---------- tools and permissions ----------

export const builtinToolNames = ['read', 'write', 'edit', 'glob', 'grep', 'bash', 'http', 'web_search'] as const;
export type BuiltinToolName = (typeof builtinToolNames)[number];

export interface PathRules {
  allow: string[];
  deny: string[];
  maxBytes: number;
  /** Files whose link count is above 1 are refused unless this is true (`hard_links: true`). */
  hardLinks?: boolean;
}

export interface BashRules {
  /** Glob patterns matched against the argv joined by single spaces. */
  allow: string[];
  deny: string[];
  timeoutMs: number;
  maxOutputBytes: number;
  /** Names of env vars passed through to the subprocess; API keys are removed even if listed. */
  env: string[];
  /** Allow a shell string (`sh -c`). Off unless the policy says so. */
  shell: boolean;
  /** read.deny patterns left visible inside the OS sandbox (never `.env*`). */
  expose: string[];
  /** auto: an OS sandbox or refusal; off: explicit opt-out. */
  sandbox: SandboxMode;
  /** Hosts reachable from inside the sandbox through agentpipe's proxy; empty: no network. */
  allowHosts: string[];
}

export type SandboxMode = 'auto' | 'off';

export interface HttpRules {
  allowHosts: string[];
  denyHosts: string[];
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
}

/** Effective permissions: tools.yaml defaults narrowed by the agent, never widened. */
export interface Permissions {
  read: PathRules;
  write: PathRules;
  bash: BashRules;
  http: HttpRules;
}

export type ToolSpec =
  | { kind: 'builtin'; name: string; builtin: BuiltinToolName; description?: string; searchProvider?: string; source?: SourceRef }
  | {
      kind: 'command';
      name: string;
      description: string;
      /** argv template; each element is a Handlebars template filled from validated parameters. */
      command: string[];
      parameters: Record<string, unknown>;
      timeoutMs?: number;
      /** The tool's own `sandbox:`; unset means the bash rules decide. */
      sandbox?: SandboxMode;
      source?: SourceRef;
    }
  | {
      kind: 'mcp';
      /** The name the model sees. As compiled, what the agent listed (`server.tool` or `server.*`);
       *  once the server has been asked for its tools, the vendor-safe wire name of one tool. */
      name: string;
      server: string;
      /** The server's own tool name, or `*` before expansion. */
      tool: string;
      /** Known once the server listed its tools: description and input schema, as the server gave them. */
      definition?: { description: string; inputSchema: Record<string, unknown> };
      source?: SourceRef;
    };

/** A tools.yaml `mcp_servers:` entry, units parsed. */
export type McpServerSpec = {
  name: string;
  startTimeoutMs: number;
  callTimeoutMs: number;
  /** Cap on one tool result's text, in bytes. */
  maxOutputBytes: number;
  allowHosts: string[];
  source?: SourceRef;
} & (
  | { transport: 'stdio'; command: string[]; env: string[]; sandbox: 'auto' | 'off' }
  | { transport: 'http'; url: string; headers: Record<string, string> }
);

export interface ToolSet {
  /** Absolute, realpath'd workspace root. */
  workspace: string;
  tools: ToolSpec[];
  permissions: Permissions;
  /** The MCP servers this agent's tools come from, by name (absent when it uses none). */
  mcpServers?: Record<string, McpServerSpec>;
}

// ---------- search ----------

export type SearchMode = 'auto' | 'always' | 'never';

export interface SearchProviderSpec {
  name: string;
  type: 'duckduckgo' | 'brave' | 'searxng';
  baseUrl?: string;
  apiKeyEnv?: string;
  region?: string;
  safeSearch?: 'strict' | 'moderate' | 'off';
  maxResults?: number;
  timeoutMs?: number;
}

export interface SearchSettings {
  mode: SearchMode;
  maxResults: number;
  provider: SearchProviderSpec;
  /** Cap on injected source-block tokens. */
  maxTokens: number;
}

// ---------- knowledge and memory ----------

export interface KnowledgeSettings {
  /** Index name in the store: the agent's name. */
  index: string;
  /** Workspace globs, read through the agent's read permissions. */
  sources: string[];
  /** Route or provider/model that embeds chunks and questions. */
  embedding: ModelChain;
  topK: number;
  /** Lowest cosine similarity for a chunk found only by vector search. */
  minScore: number;
  mode: 'inject' | 'tool';
  chunk: { size: number; overlap: number };
  /** Cap on the injected source block, in tokens. */
  maxTokens: number;
  source: SourceRef;
}

export interface MemorySettings {
  thread?: {
    /** Turns sent verbatim. */
    window: number;
    /** Writes the rolling summary of older turns (the agent's own chain by default). */
    summary: ModelChain;
  };
  facts?: {
    scope: string;
    embedding: ModelChain;
    topK: number;
  };
}

// ---------- prompts, steps, pipeline ----------

/** One piece of the system prompt: a layer or the agent's own system text, in composition order. */
export interface PromptPart {
  kind: 'layer' | 'system';
  /** Layer name (`persona/analyst`) or the agent name for its own system text. */
  name: string;
  /** Handlebars source; rendered at run time with inputs as data. */
  template: string;
  source: SourceRef;
  /** No per-run variables: safe to send with provider caching and to price as cached. */
  cacheable: boolean;
}

export interface CompiledPrompt {
  system: PromptPart[];
  user: { template: string; source: SourceRef };
  /** Layer sources by name, registered as Handlebars partials. */
  partials: Record<string, string>;
}

export interface InputSpec {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  description?: string;
  default?: unknown;
  required: boolean;
  /** Sample value used by estimate/render when none is given. */
  example?: unknown;
}

export interface CallParams {
  temperature?: number;
  maxTokens: number;
  topP?: number;
  stop?: string[];
}

export interface Limits {
  maxIterations: number;
  maxCostUsd?: number;
  timeoutMs?: number;
}

export interface CompiledAgent {
  name: string;
  description?: string;
  source: SourceRef;
  inputs: Record<string, InputSpec>;
  prompt: CompiledPrompt;
  chain: ModelChain;
  params: CallParams;
  toolSet: ToolSet;
  search: SearchSettings;
  limits: Limits;
  outputSchema?: Record<string, unknown>;
  /** `provider_options`, by provider type; each adapter merges its own entry into the request body. */
  providerOptions?: Record<string, Record<string, unknown>>;
  knowledge?: KnowledgeSettings;
  memory?: MemorySettings;
}

export interface CompiledStep {
  id: string;
  source: SourceRef;
  agent: CompiledAgent;
  needs: string[];
  /** Handlebars templates producing the agent's inputs; for a single-agent run these are the run inputs. */
  with: Record<string, string>;
  /** Dotted path (`steps.outline.output.sections`, `inputs.files`) to an array; one call per item. */
  forEach?: string;
  /** Where `for_each` is written, for the run-time error when it does not name an array. */
  forEachSource?: SourceRef;
  /** Expression template; the step is skipped when it renders falsy (`""`, `false`, `0`, `null`). */
  when?: string;
  concurrency: number;
  limits: Limits;
}

export interface CompiledPipeline {
  kind: 'agent' | 'template';
  name: string;
  source: SourceRef;
  inputs: Record<string, InputSpec>;
  steps: CompiledStep[];
  /** Topological levels: every step in a level can run in parallel. */
  levels: string[][];
  concurrency: number;
  limits: { maxCostUsd?: number; timeoutMs?: number };
  outputs: Record<string, string>;
  /** Absolute project root. */
  root: string;
}
