// The request key of a cassette: which model was asked, and what it was asked. Two calls get the same
// key when they would get the same answer from a deterministic model: same `provider/model`, system
// text, messages, tools and sampling params. Never part of the key: the API key (not in CallOptions),
// the abort signal and the per-call timeout (they change when an answer arrives, not what it is).

import { createHash } from 'node:crypto';
import type { CallOptions, Message, SystemPart, ToolDefinition } from '../providers/types.js';
import { REDACTED } from '../tools/redact.js';

export interface NormalisedRequest {
  system: SystemPart[];
  messages: Message[];
  tools: ToolDefinition[];
  params: {
    maxTokens?: number;
    temperature?: number;
    topP?: number;
    stopSequences?: string[];
    providerOptions?: Record<string, Record<string, unknown>>;
  };
}

/**
 * Strings that differ between two runs of the same agent but say nothing about the request: the run
 * id and today's date (`{{run.id}}`, `{{today}}` in prompts) and the project root (absolute paths in
 * tool output). Each is replaced by a fixed placeholder before hashing, so a cassette recorded on
 * Monday in /home/ci/a still replays on Tuesday in /tmp/b.
 */
export type Placeholders = ReadonlyArray<readonly [value: string, placeholder: string]>;

export function runPlaceholders(run: { runId?: string; root?: string }): Placeholders {
  const pairs: Array<[string, string]> = [];
  if (run.root && run.root.length > 1) pairs.push([run.root.replace(/\/$/, ''), '<root>']);
  if (run.runId) {
    pairs.push([run.runId, '<run.id>']);
    // Run ids start with the UTC creation date, which is what `{{today}}` renders (YYYYMMDD -> YYYY-MM-DD).
    const date = /^(\d{4})(\d{2})(\d{2})-/.exec(run.runId);
    if (date) pairs.push([`${date[1]}-${date[2]}-${date[3]}`, '<today>']);
  }
  // Longest first, so a value containing another is replaced whole.
  return pairs.sort((a, b) => b[0].length - a[0].length);
}

function substitute(value: unknown, placeholders: Placeholders): unknown {
  if (typeof value === 'string') {
    let text = value;
    for (const [literal, placeholder] of placeholders) if (text.includes(literal)) text = text.split(literal).join(placeholder);
    return text;
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, placeholders));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return Object.fromEntries(entries.map(([key, item]) => [key, substitute(item, placeholders)]));
  }
  return value;
}

export function normaliseRequest(options: CallOptions, placeholders: Placeholders = []): NormalisedRequest {
  const params: NormalisedRequest['params'] = {
    ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.topP === undefined ? {} : { topP: options.topP }),
    ...(options.stopSequences ? { stopSequences: options.stopSequences } : {}),
    ...(options.providerOptions ? { providerOptions: options.providerOptions } : {}),
  };
  // substitute() also drops undefined fields, so `{ cacheable: undefined }` and `{}` hash alike.
  return substitute({ system: options.system, messages: options.messages, tools: options.tools ?? [], params }, placeholders) as NormalisedRequest;
}

/** JSON with object keys sorted at every depth: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The key of an embeddings call: the model and the values, in order. */
export function embedKey(model: string, values: readonly string[]): string {
  return createHash('sha256').update(canonicalJson({ model, embed: values })).digest('hex');
}

export function requestKey(model: string, request: NormalisedRequest): string {
  return createHash('sha256').update(canonicalJson({ model, request })).digest('hex');
}

const preview = (value: unknown): string => {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/**
 * A recorded string matches when equal, or when it matches with each `[REDACTED]` standing for the
 * (non-empty) secret it hid. Matched by scanning, not by a regular expression: with many placeholders
 * a backtracking `.+?` pattern is polynomial in the text's length.
 */
function sameText(recorded: string, live: string): boolean {
  if (recorded === live) return true;
  if (!recorded.includes(REDACTED)) return false;
  const parts = recorded.split(REDACTED);
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (!live.startsWith(first)) return false;
  // Leftmost placement of each middle part is optimal for wildcards: it leaves the most room after it.
  let cursor = first.length;
  for (const part of parts.slice(1, -1)) {
    const found = live.indexOf(part, cursor + 1);
    if (found === -1) return false;
    cursor = found + part.length;
  }
  return live.length - last.length >= cursor + 1 && live.endsWith(last);
}

/** The first place a live request departs from a recorded (redacted) one, as `messages[2].content: recorded "a", now "b"`. */
export function firstDifference(recorded: unknown, live: unknown, path = ''): string | undefined {
  const here = () => `${path || 'request'}: recorded ${preview(recorded)}, now ${preview(live)}`;
  if (typeof recorded === 'string' && typeof live === 'string') return sameText(recorded, live) ? undefined : here();
  if (Array.isArray(recorded) && Array.isArray(live)) {
    for (let index = 0; index < Math.max(recorded.length, live.length); index++) {
      if (index >= recorded.length || index >= live.length) return `${path}[${index}]: recorded ${preview(recorded[index])}, now ${preview(live[index])}`;
      const found = firstDifference(recorded[index], live[index], `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (isObject(recorded) && isObject(live)) {
    for (const key of [...new Set([...Object.keys(recorded), ...Object.keys(live)])].sort()) {
      const found = firstDifference(recorded[key], live[key], path ? `${path}.${key}` : key);
      if (found) return found;
    }
    return undefined;
  }
  return canonicalJson(recorded) === canonicalJson(live) ? undefined : here();
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
