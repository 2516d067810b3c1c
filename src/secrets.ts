// The one place that knows secrets. Everything that writes text a user, a model or a file may see
// (stdout, stderr, events, run files, audit, cassettes, diagnostics, and any later store, server or
// trace) passes it through `redactSecrets`/`redactValue`. Secrets are known two ways:
//  - by VALUE: src/secrets/registry.ts holds every value the process resolved as a secret (provider
//    keys from api_key_env, header values taken from env, values of secret-named variables), so a key
//    is redacted whatever the variable holding it was called, plain, hex- or base64-encoded;
//  - by SHAPE: src/secrets/shapes.ts knows what vendors' keys look like, for keys nobody registered.

import type { Diagnostic } from './errors.js';
import { isSecretEnvName } from './secrets/names.js';
import { redactKnownSecrets, registerSecret } from './secrets/registry.js';
import { looksLikeSecret, redactShapes } from './secrets/shapes.js';

export { findSecrets, looksLikeSecret, redactShapes, type SecretMatch } from './secrets/shapes.js';
export { clearSecretsForTesting, knownSecrets, longestSecretForm, REDACTED, registerSecret } from './secrets/registry.js';
export { isSecretEnvName } from './secrets/names.js';

/** Whether a value holds a vendor key's shape, memoised: env values repeat on every call below. */
const keyShaped = new Map<string, boolean>();
function holdsKeyShape(value: string): boolean {
  let shaped = keyShaped.get(value);
  if (shaped === undefined) {
    if (keyShaped.size >= 4096) keyShaped.clear();
    shaped = looksLikeSecret(value);
    keyShaped.set(value, shaped);
  }
  return shaped;
}

/**
 * Registers the value of every secret-named variable of `env` (see secrets/names.ts), and of every
 * variable whose value is shaped like a key whatever its name (`MY_THING=sk-ant-…`), so its encoded
 * forms are redacted too and no tool environment receives it.
 */
export function registerSecretsFromEnv(env: Readonly<Record<string, string | undefined>>): void {
  for (const [name, value] of Object.entries(env)) if (value !== undefined && (isSecretEnvName(name) || holdsKeyShape(value))) registerSecret(value);
}

/** `text` with every known secret value (and its encodings) as [REDACTED] and every key-shaped string as its prefix (`sk-ant-…`). */
export function redactSecrets(text: string): string {
  return redactShapes(redactKnownSecrets(text));
}

/** Deep copy of a JSON-like value with every string redacted (object keys included; prototypes never read). */
export function redactValue(value: unknown, redact: (text: string) => string = redactSecrets): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redact));
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    // defineProperty: a key named `__proto__` stays a plain key, never a prototype change.
    for (const [key, item] of Object.entries(value)) Object.defineProperty(copy, redact(key), { value: redactValue(item, redact), enumerable: true, writable: true, configurable: true });
    return copy;
  }
  return value;
}

/** A diagnostic whose message and fix echo no secret (whatever value a check quoted). */
export function redactDiagnostic(diagnostic: Diagnostic): Diagnostic {
  const message = redactSecrets(diagnostic.message);
  const fix = diagnostic.fix === undefined ? undefined : redactSecrets(diagnostic.fix);
  if (message === diagnostic.message && fix === diagnostic.fix) return diagnostic;
  return { ...diagnostic, message, ...(fix === undefined ? {} : { fix }) };
}
