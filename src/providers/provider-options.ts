// An agent's `provider_options` reach the wire here: each converter merges the entry for its own
// provider type (`openai: { reasoning_effort: low }`) into the request it built. An object value
// is merged one level deep (`ollama: { options: { num_ctx: 8192 } }` keeps num_predict); keys the
// adapter must own (the model, the messages, streaming) are left alone and reported as warnings.

import type { ProviderType } from '../compile/ir.js';
import type { CallOptions, CallWarning } from './types.js';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function mergeProviderOptions(target: object, options: CallOptions, type: ProviderType, reserved: readonly string[], warnings: CallWarning[]): void {
  const extra = options.providerOptions?.[type];
  if (!extra) return;
  const body = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(extra)) {
    if (reserved.includes(key)) {
      warnings.push({ type: 'unsupported-setting', setting: `provider_options.${type}.${key}`, message: `provider_options.${type}.${key} is set by agentpipe itself; ignored` });
      continue;
    }
    const current = body[key];
    body[key] = isRecord(current) && isRecord(value) ? { ...current, ...value } : value;
  }
}
