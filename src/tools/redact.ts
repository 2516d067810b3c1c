// Run-time redaction for the audit log, events, run files and error messages. A thin layer over
// src/secrets.ts: the `env` argument registers its secret-named values, then every KNOWN secret value
// is redacted (whatever variable held it), plus bearer tokens and every key shape, all as [REDACTED].

import { REDACTED, findSecrets, redactValue as redactValueWith, registerSecretsFromEnv } from '../secrets.js';
import { knownSecrets, redactKnownSecrets, secretsGeneration } from '../secrets/registry.js';

export { isSecretEnvName, REDACTED } from '../secrets.js';

/** Broad shapes, redacted even when no env var holds them (wider than lint's, since over-redacting output is cheap). */
const secretValuePatterns: Array<[RegExp, string]> = [
  [/\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/g, 'Bearer [REDACTED]'],
  [/\bsk-[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{30,}/g, REDACTED],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}/g, REDACTED],
];

// Events and run states repeat the same short strings (keys, statuses, model names, ids) thousands
// of times in a batch: their redaction is remembered until another secret is registered.
const memoMaxLength = 64;
const memoMaxEntries = 10_000;
const memo = new Map<string, string>();
let memoGeneration = -1;

function redactText(text: string): string {
  if (text.length > memoMaxLength) return redactTextNow(text);
  if (memoGeneration !== secretsGeneration()) {
    memo.clear();
    memoGeneration = secretsGeneration();
  }
  let result = memo.get(text);
  if (result === undefined) {
    result = redactTextNow(text);
    if (memo.size >= memoMaxEntries) memo.clear();
    memo.set(text, result);
  }
  return result;
}

function redactTextNow(text: string): string {
  let result = redactKnownSecrets(text);
  for (const [pattern, replacement] of secretValuePatterns) result = result.replace(pattern, replacement);
  // Then every shape the config linter knows (AWS, Slack, HF, PEM keys...), so the two never disagree.
  for (const { index, length } of findSecrets(result).reverse()) result = `${result.slice(0, index)}${REDACTED}${result.slice(index + length)}`;
  return result;
}

/** Replace every known secret value (env's secret-named ones included) and anything shaped like an API key or bearer token. */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  registerSecretsFromEnv(env);
  return redactText(text);
}

/** Deep copy of a JSON-like value with every string redacted (object keys included). */
export function redactValue(value: unknown, env: NodeJS.ProcessEnv = process.env): unknown {
  registerSecretsFromEnv(env);
  return redactValueWith(value, redactText);
}

/** True when `value` contains a known secret value (a tool's environment never receives one, whatever its name). */
export function holdsSecret(value: string): boolean {
  return knownSecrets().some((secret) => value.includes(secret));
}
