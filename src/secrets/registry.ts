// The process-wide registry of secret VALUES. Redacting by env var name missed keys held under
// names such as AZURE_OPENAI_KEY; so whatever resolves a secret (a provider's api_key_env, a header
// taken from env, any secret-named variable) registers its value here, and every writer redacts every
// registered value, whatever variable held it. Common encodings of each value (hex, base64 at each of
// the three byte alignments, URL and JSON escaping) are matched too: a tool that prints
// `base64 .env` must not get a key past redaction.

/** Values shorter than this are not treated as secrets: redacting "1" or "true" everywhere helps nobody. */
export const minimumSecretLength = 6;

/** Encoded forms are matched only for values this long, and only fragments this long: short ones would hit ordinary text. */
const minimumEncodedLength = 8;

export const REDACTED = '[REDACTED]';

const values = new Set<string>();
/** Bumped whenever the registered values change: memoised redactions older than it are stale. */
let generation = 0;

export const secretsGeneration = (): number => generation;
/** Every form that is replaced, longest first; rebuilt lazily after a registration. */
let forms: string[] | undefined;
let formPattern: RegExp | null | undefined;
/** Base64 fragments only, for text that a tool wrapped over several lines. */
let base64Fragments: string[] = [];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** The base64 characters of `bytes` that do not depend on what surrounds them, when they start `shift` bytes into a 3-byte group. */
function base64Fragment(bytes: Buffer, shift: number): string {
  const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
  return padded.toString('base64').slice(Math.ceil((shift * 4) / 3), Math.floor((padded.length * 4) / 3));
}

function encodedForms(value: string): { all: string[]; base64: string[] } {
  const all = new Set<string>([value, JSON.stringify(value).slice(1, -1)]);
  try {
    all.add(encodeURIComponent(value));
  } catch {
    // A lone surrogate cannot be URI-encoded; the plain form still matches.
  }
  const base64: string[] = [];
  if (value.length >= minimumEncodedLength) {
    const bytes = Buffer.from(value, 'utf8');
    const hex = bytes.toString('hex');
    all.add(hex).add(hex.toUpperCase());
    for (const shift of [0, 1, 2]) {
      const fragment = base64Fragment(bytes, shift);
      if (fragment.length < minimumEncodedLength) continue;
      const urlSafe = fragment.replaceAll('+', '-').replaceAll('/', '_');
      all.add(fragment).add(urlSafe);
      base64.push(fragment, urlSafe);
    }
  }
  return { all: [...all].filter((form) => form.length >= minimumSecretLength), base64 };
}

function rebuild(): void {
  const all = new Set<string>();
  const base64 = new Set<string>();
  for (const value of values) {
    const encoded = encodedForms(value);
    for (const form of encoded.all) all.add(form);
    for (const fragment of encoded.base64) base64.add(fragment);
  }
  forms = [...all].sort((left, right) => right.length - left.length);
  formPattern = forms.length === 0 ? null : new RegExp(forms.map(escapeRegExp).join('|'), 'g');
  base64Fragments = [...base64];
}

/**
 * Adds a secret value (and its surrounding-whitespace-trimmed form) to the registry. Non-strings and
 * values shorter than 6 characters are ignored. Safe to call often: a known value costs nothing.
 */
export function registerSecret(value: unknown): void {
  if (typeof value !== 'string') return;
  for (const candidate of new Set([value, value.trim()])) {
    if (candidate.length < minimumSecretLength || values.has(candidate)) continue;
    values.add(candidate);
    generation++;
    forms = undefined;
    formPattern = undefined;
  }
}

/** The registered secret values, longest first (never print them: this is for redaction and scrubbing). */
export function knownSecrets(): string[] {
  return [...values].sort((left, right) => right.length - left.length);
}

/** Length of the longest form that redaction replaces: how much a stream must hold back. */
export function longestSecretForm(): number {
  if (forms === undefined) rebuild();
  return forms?.[0]?.length ?? 0;
}

/** Forgets every registered value. Only for tests that need a clean registry. */
export function clearSecretsForTesting(): void {
  values.clear();
  generation++;
  forms = undefined;
  formPattern = undefined;
  base64Fragments = [];
}

const base64Line = /^[ \t]*[A-Za-z0-9+/_-]{16,}={0,2}[ \t]*\r?$/;

/**
 * `base64` wraps its output every 76 characters, which splits an encoded key over two lines. Runs of
 * two or more base64-looking lines are joined and, when the joined text holds an encoded secret,
 * replaced whole. Line by line, so a long line without newlines costs one linear scan.
 */
function redactWrappedBase64(text: string): string {
  if (base64Fragments.length === 0 || !text.includes('\n')) return text;
  const lines = text.split('\n');
  let changed = false;
  for (let start = 0; start < lines.length; ) {
    let end = start;
    while (end < lines.length && base64Line.test(lines[end]!)) end += 1;
    if (end - start >= 2) {
      const joined = lines.slice(start, end).map((line) => line.trim()).join('');
      if (base64Fragments.some((fragment) => joined.includes(fragment))) {
        lines.splice(start, end - start, REDACTED);
        changed = true;
        start += 1;
        continue;
      }
    }
    start = Math.max(end, start + 1);
  }
  return changed ? lines.join('\n') : text;
}

/** `text` with every registered value, and every encoded form of one, replaced by [REDACTED]. */
export function redactKnownSecrets(text: string): string {
  if (formPattern === undefined) rebuild();
  if (!formPattern) return text;
  const replaced = text.replace(formPattern, REDACTED);
  return redactWrappedBase64(replaced);
}
