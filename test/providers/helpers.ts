// Shared test fixtures: one ModelSpec per provider type, all pointed at one simulator.

import type { ModelChain, ModelSpec, ProviderSpec, ProviderType } from '../../src/compile/ir.js';
import { parseModelRef, type CallOptions } from '../../src/providers/types.js';
import type { RunEventInput } from '../../src/run/events.js';
import type { Simulator } from '../../src/sim/index.js';

export const fakeKey = 'sk-agentpipe-TEST-7f3a9c1e5b2d4680';

export interface ProviderCase {
  type: ProviderType;
  /** Provider name used in ids and events. */
  name: string;
  /** Model name on the wire. */
  model: string;
  /** Path the simulator records for this provider's calls. */
  path: (stream: boolean) => string;
}

export const providerCases: ProviderCase[] = [
  { type: 'anthropic', name: 'anthropic', model: 'claude-opus-4-7', path: () => '/v1/messages' },
  { type: 'openai', name: 'openai', model: 'gpt-4o', path: () => '/v1/chat/completions' },
  {
    type: 'gemini',
    name: 'gemini',
    model: 'gemini-2.5-flash',
    path: (stream) => `/v1beta/models/gemini-2.5-flash:${stream ? 'streamGenerateContent' : 'generateContent'}`,
  },
  { type: 'ollama', name: 'ollama', model: 'llama3.2', path: () => '/api/chat' },
  { type: 'openai-compatible', name: 'lmstudio', model: 'qwen2.5-7b-instruct', path: () => '/v1/chat/completions' },
];

export function providerSpec(type: ProviderType, name: string, simulator: Simulator, extra: Partial<ProviderSpec> = {}): ProviderSpec {
  const needsV1 = type === 'openai' || type === 'openai-compatible';
  return {
    name,
    type,
    baseUrl: needsV1 ? `${simulator.url}/v1` : simulator.url,
    ...(type === 'openai-compatible' ? { apiKeyEnv: 'LMSTUDIO_API_KEY' } : {}),
    ...extra,
  };
}

export function modelSpec(testCase: ProviderCase, simulator: Simulator, extra: Partial<ProviderSpec> = {}): ModelSpec {
  const ref = parseModelRef(`${testCase.name}/${testCase.model}`);
  if (!ref) throw new Error('bad ref');
  return { ref, provider: providerSpec(testCase.type, testCase.name, simulator, extra), pricing: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } };
}

/** Every key variable set to the same recognisable fake key. */
export function keyEnv(key = fakeKey): NodeJS.ProcessEnv {
  return { ANTHROPIC_API_KEY: key, OPENAI_API_KEY: key, GEMINI_API_KEY: key, LMSTUDIO_API_KEY: key };
}

export function chainOf(models: ModelSpec[], overrides: Partial<ModelChain> = {}): ModelChain {
  return {
    name: 'test-route',
    models,
    retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20_000, honorRetryAfter: true },
    fallbackOn: ['rate_limited', 'overloaded', 'server_error', 'timeout', 'network', 'unavailable'],
    rateLimits: {},
    ...overrides,
  };
}

export const weatherTool = {
  name: 'get_weather',
  description: 'Get current weather for a city.',
  inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
};

export function userCall(text: string, extra: Partial<CallOptions> = {}): CallOptions {
  return { system: [{ text: 'You are concise.' }], messages: [{ role: 'user', content: text }], maxTokens: 200, ...extra };
}

/** Collects events and records sleeps instead of waiting. */
export function recorder() {
  const events: RunEventInput[] = [];
  const delays: number[] = [];
  return {
    events,
    delays,
    emit: (event: RunEventInput) => void events.push(event),
    sleep: async (ms: number) => void delays.push(ms),
  };
}
