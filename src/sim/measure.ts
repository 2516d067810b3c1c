// Usage as a real provider would bill it, for cost tests: input tokens are what the request body
// weighs (its JSON, about 4 bytes a token, minus nothing: framing counts, as it does at the vendor),
// output tokens what the turn writes. Anthropic requests with `cache_control` blocks get the prefix
// up to the last such block billed as a cache write the first time it is seen and a read after.

import { createHash } from 'node:crypto';
import type { SimRequest, SimTurn, SimUsage } from './script.js';
import { fullText } from './script.js';

const bytesPerToken = 4;
const weigh = (value: unknown): number => (value === undefined ? 0 : Math.ceil(Buffer.byteLength(JSON.stringify(value), 'utf8') / bytesPerToken));

/** The parts of a request a vendor tokenises: everything but the model name and call settings. */
function promptParts(body: Record<string, unknown>): Record<string, unknown> {
  const { system, messages, tools, contents, systemInstruction, system_instruction, prompt } = body as Record<string, unknown>;
  return Object.fromEntries(Object.entries({ system, messages, tools, contents, systemInstruction, system_instruction, prompt }).filter(([, value]) => value !== undefined));
}

/** Anthropic: the leading system blocks up to and including the last one marked cache_control. */
function cachedPrefix(body: Record<string, unknown>): unknown[] | undefined {
  const system = body['system'];
  if (!Array.isArray(system)) return undefined;
  const last = system.map((block: { cache_control?: unknown }) => block?.cache_control !== undefined).lastIndexOf(true);
  return last >= 0 ? system.slice(0, last + 1) : undefined;
}

export class UsageMeter {
  private readonly seenPrefixes = new Set<string>();

  measure(request: SimRequest, turn: SimTurn): Required<SimUsage> {
    const total = weigh(promptParts(request.body));
    const output = Math.max(1, Math.ceil(Buffer.byteLength(fullText(turn.text), 'utf8') / bytesPerToken) + (turn.toolCalls ?? []).reduce((sum, call) => sum + weigh(call.input) + 4, 0));
    const prefix = request.api === 'anthropic' ? cachedPrefix(request.body) : undefined;
    if (!prefix) return { input: total, output, cacheRead: 0, cacheWrite: 0 };
    const size = Math.min(total, weigh(prefix));
    const key = createHash('sha256').update(`${request.model}\u0000${JSON.stringify(prefix)}`).digest('hex');
    const hit = this.seenPrefixes.has(key);
    this.seenPrefixes.add(key);
    return { input: total - size, output, cacheRead: hit ? size : 0, cacheWrite: hit ? 0 : size };
  }

  reset(): void {
    this.seenPrefixes.clear();
  }
}
