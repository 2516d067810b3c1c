// The one detector of literal secrets by shape (what a key looks like, whoever holds it): lint's
// secret rule reports them, and src/secrets.ts redacts them from diagnostics and run output. Only the
// prefix that identified a key is ever shown.

// Shapes of real keys, most specific first (an `sk-ant-` key is not reported again as `sk-`). Each
// needs enough random-looking characters that ordinary words and slugs never match. Group 1 is the
// prefix that is shown instead of the key.
const shapes: readonly RegExp[] = [
  /\b(sk-ant-)[A-Za-z0-9_-]{20,}/g,
  /\b(sk-(?:proj|svcacct|admin|or-v1)-)[A-Za-z0-9_-]{20,}/g,
  // Legacy OpenAI and most OpenAI-compatible vendors (DeepSeek...): sk- and 20+ letters and digits.
  /\b(sk-)(?=[A-Za-z]*[0-9])[A-Za-z0-9]{20,}\b/g,
  /\b(sk_live_)[A-Za-z0-9]{20,}/g,
  /\b(gsk_)[A-Za-z0-9]{40,}/g,
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\b(AIza)[0-9A-Za-z_-]{35}/g,
  /\b(gh[pousr]_)[A-Za-z0-9]{36,}/g,
  /\b(github_pat_)[A-Za-z0-9_]{40,}/g,
  /\b(glpat-)[A-Za-z0-9_-]{20,}/g,
  /\b(xox[abprs]-)(?=[A-Za-z-]*[0-9])[A-Za-z0-9-]{10,}/g,
  /\b(hf_)[A-Za-z0-9]{30,}/g,
  /(-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----)/g,
];

// One pass that finds nothing in almost every text; the precise shapes run only after a hit.
const anyPrefix = /(?:\b(?:sk-|sk_live_|gsk_|AKIA|ASIA|AIza|gh[pousr]_|github_pat_|glpat-|xox[abprs]-|hf_)|PRIVATE KEY-----)/;

export interface SecretMatch {
  /** Offset in the text. */
  index: number;
  length: number;
  /** The prefix that identified it (`sk-ant-`, `AKIA`, ...): all that may be shown of it. */
  label: string;
}

/** Every literal secret in `text`, in text order, never two over the same characters. */
export function findSecrets(text: string): SecretMatch[] {
  if (!anyPrefix.test(text)) return [];
  const found: SecretMatch[] = [];
  for (const pattern of shapes) {
    for (const match of text.matchAll(pattern)) {
      const overlaps = found.some((other) => match.index < other.index + other.length && other.index < match.index + match[0].length);
      if (!overlaps) found.push({ index: match.index, length: match[0].length, label: match[1] ?? '' });
    }
  }
  return found.sort((left, right) => left.index - right.index);
}

export function looksLikeSecret(text: string): boolean {
  return findSecrets(text).length > 0;
}

/** `text` with each secret replaced by its label and an ellipsis (`sk-ant-…`). */
export function redactShapes(text: string): string {
  const found = findSecrets(text);
  if (found.length === 0) return text;
  let result = '';
  let cursor = 0;
  for (const { index, length, label } of found) {
    result += `${text.slice(cursor, index)}${label}…`;
    cursor = index + length;
  }
  return result + text.slice(cursor);
}
