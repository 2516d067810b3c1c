// One redaction routine for the audit log, events and error messages: API keys never leave the process.

import { findSecrets } from '../secrets.js';

/** Env var names that hold secrets. Matched case-insensitively against the whole name. */
const secretNamePattern = /(_API_KEY|_TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY|ACCESS_KEY)/i;

/** Broad shapes, redacted even when no env var holds them (wider than lint's, since over-redacting output is cheap). */
const secretValuePatterns: Array<[RegExp, string]> = [
  [/\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/g, 'Bearer [REDACTED]'],
  [/\bsk-[A-Za-z0-9_-]{16,}/g, '[REDACTED]'],
  [/\bAIza[0-9A-Za-z_-]{30,}/g, '[REDACTED]'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}/g, '[REDACTED]'],
];

/** Values shorter than this are not treated as secrets: redacting "1" or "true" everywhere helps nobody. */
const minimumSecretLength = 6;

export const REDACTED = '[REDACTED]';

export function isSecretEnvName(name: string): boolean {
  return secretNamePattern.test(name);
}

/** Values of secret-named env vars, longest first so a key is never half-redacted by a shorter one. */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value && value.length >= minimumSecretLength && isSecretEnvName(name)) values.add(value);
  }
  return [...values].sort((a, b) => b.length - a.length);
}

/** Replace every secret env value and anything shaped like an API key or bearer token. */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let result = text;
  for (const value of secretValues(env)) result = result.split(value).join(REDACTED);
  for (const [pattern, replacement] of secretValuePatterns) result = result.replace(pattern, replacement);
  // Then every shape the config linter knows (AWS, Slack, HF, PEM keys...), so the two never disagree.
  for (const { index, length } of findSecrets(result).reverse()) result = `${result.slice(0, index)}${REDACTED}${result.slice(index + length)}`;
  return result;
}

/** Deep copy of a JSON-like value with every string redacted (object keys included). */
export function redactValue(value: unknown, env: NodeJS.ProcessEnv = process.env): unknown {
  if (typeof value === 'string') return redactSecrets(value, env);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, env));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [redactSecrets(key, env), redactValue(item, env)]));
  }
  return value;
}
