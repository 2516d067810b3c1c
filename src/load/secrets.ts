// Registers the provider keys a project can resolve, whatever their variable is called: each
// provider's api_key_env and the default key variables of its type. Done at load, so lint, models,
// explain, estimate and run all redact them before anything is printed.

import { defaultKeyEnvVars } from '../providers/key-env.js';
import type { ProviderType } from '../compile/ir.js';
import { registerSecret } from '../secrets/registry.js';
import type { Env } from './dotenv.js';
import type { SourceFile } from './types.js';

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

export function registerProjectSecrets(files: readonly SourceFile[], env: Env): void {
  for (const variables of Object.values(defaultKeyEnvVars)) for (const name of variables) registerSecret(env[name]);
  const providers = files.find((file) => file.kind === 'providers')?.value;
  if (!isRecord(providers) || !isRecord(providers['providers'])) return;
  for (const provider of Object.values(providers['providers'])) {
    if (!isRecord(provider)) continue;
    const name = provider['api_key_env'];
    if (typeof name === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) registerSecret(env[name]);
    const type = provider['type'];
    if (typeof type === 'string' && Object.hasOwn(defaultKeyEnvVars, type)) for (const variable of defaultKeyEnvVars[type as ProviderType]) registerSecret(env[variable]);
  }
  // Search providers and anything else that names a key the same way.
  const search = providers['search'];
  if (isRecord(search)) for (const entry of Object.values(search)) if (isRecord(entry) && typeof entry['api_key_env'] === 'string') registerSecret(env[entry['api_key_env']]);
}
