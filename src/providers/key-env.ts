// Which env vars may hold each provider type's key when providers.yaml names no `api_key_env`, in
// the SDK's precedence order. A leaf module (no adapter imports), so compile and explain can ask
// without loading any adapter; providers/registry.ts is its only other user.

import type { ProviderSpec, ProviderType } from '../compile/ir.js';

export const defaultKeyEnvVars: Readonly<Record<ProviderType, readonly string[]>> = {
  anthropic: ['ANTHROPIC_API_KEY'],
  openai: ['OPENAI_API_KEY'],
  // @google/genai prefers GOOGLE_API_KEY when both are set; so do we.
  gemini: ['GOOGLE_API_KEY', 'GEMINI_API_KEY'],
  ollama: [],
  // Keyless unless the spec names api_key_env.
  'openai-compatible': [],
};

/** The env vars consulted for this provider's key, in order (empty for keyless providers). */
export function keyEnvVarsFor(spec: Pick<ProviderSpec, 'type' | 'apiKeyEnv'>): string[] {
  return spec.apiKeyEnv ? [spec.apiKeyEnv] : [...defaultKeyEnvVars[spec.type]];
}
