// The one place that maps a ProviderType to its adapter and its base-URL env var (key env vars: key-env.ts).
// Nothing else in agentpipe asks "is this anthropic?".

import { looksLikeSecret, registerSecret } from '../secrets.js';
import { UsageError } from '../errors.js';
import type { ModelSpec, ProviderSpec, ProviderType } from '../compile/ir.js';
import type { EmbeddingModel, LanguageModel } from './types.js';
import { keyEnvVarsFor } from './key-env.js';
import type { AdapterSettings } from './call-scope.js';
import { createAnthropicModel } from './anthropic/anthropic-model.js';
import { createOpenAIModel } from './openai/openai-model.js';
import { createGeminiModel } from './gemini/gemini-model.js';
import { createOllamaModel } from './ollama/ollama-model.js';
import { createOpenAIEmbeddingModel } from './openai/openai-embedding.js';
import { createGeminiEmbeddingModel } from './gemini/gemini-embedding.js';
import { createOllamaEmbeddingModel } from './ollama/ollama-embedding.js';

interface ProviderTypeInfo {
  /** Env var that overrides the vendor default base URL. */
  baseUrlEnv?: string;
  defaultBaseUrl?: string;
  create(settings: AdapterSettings): LanguageModel;
  /** Embeddings adapter; absent when the vendor has no embeddings API (Anthropic). */
  embed?(settings: AdapterSettings): EmbeddingModel;
  /** Imports the SDK the adapter loads on its first call (a worker does it before taking slots). */
  loadSdk(): Promise<unknown>;
}

const providerTypes: Record<ProviderType, ProviderTypeInfo> = {
  anthropic: {
    baseUrlEnv: 'ANTHROPIC_BASE_URL',
    // No /v1: the SDK appends /v1/messages.
    defaultBaseUrl: 'https://api.anthropic.com',
    create: createAnthropicModel,
    loadSdk: () => import('@anthropic-ai/sdk'),
  },
  openai: {
    baseUrlEnv: 'OPENAI_BASE_URL',
    defaultBaseUrl: 'https://api.openai.com/v1',
    create: (settings) => createOpenAIModel(settings, { compatible: false }),
    embed: (settings) => createOpenAIEmbeddingModel(settings, { compatible: false }),
    loadSdk: () => import('openai'),
  },
  gemini: {
    baseUrlEnv: 'GOOGLE_GEMINI_BASE_URL',
    defaultBaseUrl: 'https://generativelanguage.googleapis.com',
    create: createGeminiModel,
    embed: createGeminiEmbeddingModel,
    loadSdk: () => import('@google/genai'),
  },
  ollama: {
    baseUrlEnv: 'OLLAMA_HOST',
    defaultBaseUrl: 'http://127.0.0.1:11434',
    create: createOllamaModel,
    embed: createOllamaEmbeddingModel,
    loadSdk: () => import('ollama'),
  },
  // The base URL must come from the spec.
  'openai-compatible': {
    create: (settings) => createOpenAIModel(settings, { compatible: true }),
    embed: (settings) => createOpenAIEmbeddingModel(settings, { compatible: true }),
    loadSdk: () => import('openai'),
  },
};

/** Loads the SDKs of these provider types now rather than on their first call. */
export async function warmProviderSdks(types: ProviderType[]): Promise<void> {
  await Promise.all(types.map((type) => providerTypes[type].loadSdk().catch(() => undefined)));
}

/** Per-call timeout when neither the call nor providers.yaml sets one; for streams, the wait for each next chunk. */
export const defaultTimeoutMs = 120_000;

export interface ProviderKeyStatus {
  /** Env vars consulted for the key, in order (empty for keyless providers). */
  envVars: string[];
  /** Whether a key is required at all. */
  required: boolean;
  /** True when a key is present or none is required. */
  isSet: boolean;
  /** The variable the key was read from. */
  source?: string;
  /** Effective base URL (config, then env, then vendor default); undefined when nothing provides one. */
  baseUrl?: string;
  /** Why the provider cannot be called (`ANTHROPIC_API_KEY is not set`), for the no-key paragraph. */
  reason?: string;
}

/** OLLAMA_HOST is the server's bind address (`0.0.0.0`, `host:port`, no scheme); turn it into a URL to call. */
export function normalizeOllamaHost(value: string): string {
  let url = /^[a-z]+:\/\//i.test(value) ? value : `http://${value}`;
  url = url.replace('://0.0.0.0', '://127.0.0.1');
  const parsed = new URL(url);
  if (parsed.port === '' && !/:\d+\/?$/.test(value)) parsed.port = '11434';
  return parsed.toString().replace(/\/$/, '');
}

function resolveBaseUrl(spec: ProviderSpec, env: NodeJS.ProcessEnv): string | undefined {
  const info = providerTypes[spec.type];
  const fromEnv = info.baseUrlEnv ? env[info.baseUrlEnv] : undefined;
  const raw = spec.baseUrl || fromEnv || info.defaultBaseUrl;
  if (raw === undefined) return undefined;
  if (spec.type !== 'ollama') return raw.replace(/\/$/, '');
  try {
    return normalizeOllamaHost(raw);
  } catch {
    const where = spec.baseUrl ? `base_url of provider ${spec.name} in providers.yaml` : info.baseUrlEnv;
    throw new UsageError(`${where} is \`${raw}\`, which is not a host or URL; set it like 127.0.0.1:11434 or http://127.0.0.1:11434`);
  }
}

export function providerKeyStatus(spec: ProviderSpec, env: NodeJS.ProcessEnv = process.env): ProviderKeyStatus {
  const envVars = keyEnvVarsFor(spec);
  const source = envVars.find((name) => (env[name] ?? '') !== '');
  const required = envVars.length > 0;
  const baseUrl = resolveBaseUrl(spec, env);
  const status: ProviderKeyStatus = { envVars, required, isSet: !required || source !== undefined, ...(source ? { source } : {}), ...(baseUrl ? { baseUrl } : {}) };
  if (!status.isSet) status.reason = envVars.length === 1 ? `${envVars[0]} is not set` : `none of ${envVars.join(', ')} is set`;
  else if (!baseUrl) status.reason = `provider '${spec.name}' has no base_url`;
  return status;
}

function adapterSettings(spec: ModelSpec, env: NodeJS.ProcessEnv): AdapterSettings {
  const status = providerKeyStatus(spec.provider, env);
  const apiKey = status.source ? env[status.source] : undefined;
  // Whatever the variable is called (AZURE_OPENAI_KEY...), its value is now a known secret.
  registerSecret(apiKey);
  for (const value of Object.values(spec.provider.headers ?? {})) if (looksLikeSecret(value)) registerSecret(value);
  const settings: AdapterSettings = {
    providerName: spec.provider.name,
    modelId: spec.ref.model,
    id: spec.ref.id,
    baseUrl: status.baseUrl ?? '',
    timeoutMs: spec.provider.timeoutMs ?? defaultTimeoutMs,
    ...(apiKey ? { apiKey } : {}),
    ...(status.reason ? { unavailableReason: status.reason } : {}),
    ...(spec.provider.headers ? { headers: spec.provider.headers } : {}),
    ...(spec.maxOutputTokens ? { maxOutputTokens: spec.maxOutputTokens } : {}),
  };
  return settings;
}

/** Builds the adapter for a model. Never throws and never calls the network: a model that cannot
 * be called (missing key or base URL) fails each call with a typed `unavailable` error. */
export function createLanguageModel(spec: ModelSpec, env: NodeJS.ProcessEnv = process.env): LanguageModel {
  return providerTypes[spec.provider.type].create(adapterSettings(spec, env));
}

/** Whether the provider type has an embeddings API (lint refuses an embedding model on one that has none). */
export const hasEmbeddings = (type: ProviderType): boolean => providerTypes[type].embed !== undefined;

/** The embeddings adapter of a model; undefined when its provider type has no embeddings API. */
export function createEmbeddingModel(spec: ModelSpec, env: NodeJS.ProcessEnv = process.env): EmbeddingModel | undefined {
  return providerTypes[spec.provider.type].embed?.(adapterSettings(spec, env));
}
