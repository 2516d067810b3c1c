// The ledger index: `.agentpipe/ledger-index.jsonl`, append-only, one compact line per (run, step,
// model) written when a run ends. It holds counts only (no prompt, no output): the calls of each
// item with their reported usage, the step's duration and status, and the first request's size
// (characters and a hash), so that `estimate` can calibrate on history and `runs stats` can
// summarise thousands of runs without opening each run.json. Reading for `estimate` walks the file
// from its end and stops once it has enough recent lines per agent, so 10,000 runs cost little.

import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { appenderFor } from '../run/appender.js';
import { join } from 'node:path';
import type { ProviderType } from '../compile/ir.js';
import type { LedgerEntry } from './ledger.js';

/** [input, output, cacheRead, cacheWrite] tokens of one call, as the provider reported them. */
export type CallTokens = [number, number, number, number];

export interface IndexLine {
  v: 1;
  run: string;
  /** ISO time the run ended. */
  t: string;
  /** The run's final status. */
  status: string;
  agent: string;
  step: string;
  /** `provider/model` that answered these calls. */
  model: string;
  ptype: ProviderType | string;
  /** The step's wall time, ms. */
  ms: number;
  /** True for a for_each step. */
  fanout: boolean;
  /** True when the agent may search (the first request then carries a source block the size does not include). */
  search: boolean;
  /** Per item that this model served: its calls in order. */
  calls: CallTokens[][];
  /** The first request of the first item: characters of its system parts, user message and tool definitions, and their hash. */
  chars?: number;
  hash?: string;
  /** USD at the prices of the day. */
  cost: number;
}

export const indexFileName = 'ledger-index.jsonl';
export const indexPath = (root: string): string => join(root, '.agentpipe', indexFileName);

/** Hash of a first request's text (12 hex characters are plenty to tell prompts apart). */
export const promptHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 12);

export interface PromptSize {
  chars: number;
  hash: string;
}

export interface RunSummaryInput {
  runId: string;
  status: string;
  steps: Array<{ id: string; agent: string; fanout: boolean; search: boolean; durationMs: number }>;
  entries: readonly LedgerEntry[];
  /** Provider type by `provider/model` id. */
  providerTypes: ReadonlyMap<string, string>;
  /** The first request's size by step label (`step` or `step[0]`). */
  prompts: ReadonlyMap<string, PromptSize>;
}

const itemOf = (label: string): { step: string; item: number } => {
  const match = /^(.*)\[(\d+)\]$/.exec(label);
  return match ? { step: match[1] ?? label, item: Number(match[2]) } : { step: label, item: 0 };
};

/** The index lines of one finished run: one per step and model that made calls. */
export function summariseRun(input: RunSummaryInput, time = new Date().toISOString()): IndexLine[] {
  const lines: IndexLine[] = [];
  for (const step of input.steps) {
    const byModel = new Map<string, Map<number, CallTokens[]>>();
    const cost = new Map<string, number>();
    for (const entry of input.entries) {
      const { step: stepId, item } = itemOf(entry.stepId);
      if (stepId !== step.id) continue;
      const items = byModel.get(entry.model) ?? new Map<number, CallTokens[]>();
      const calls = items.get(item) ?? [];
      calls.push([entry.usage.inputTokens, entry.usage.outputTokens, entry.usage.cacheReadTokens, entry.usage.cacheWriteTokens]);
      items.set(item, calls);
      byModel.set(entry.model, items);
      cost.set(entry.model, (cost.get(entry.model) ?? 0) + entry.costUsd);
    }
    const prompt = input.prompts.get(step.fanout ? `${step.id}[0]` : step.id) ?? input.prompts.get(step.id);
    for (const [model, items] of byModel) {
      const ordered = [...items.entries()].sort(([left], [right]) => left - right).map(([, calls]) => calls);
      lines.push({
        v: 1,
        run: input.runId,
        t: time,
        status: input.status,
        agent: step.agent,
        step: step.id,
        model,
        ptype: input.providerTypes.get(model) ?? '',
        ms: Math.round(step.durationMs),
        fanout: step.fanout,
        search: step.search,
        calls: ordered,
        ...(prompt && items.has(0) ? { chars: prompt.chars, hash: prompt.hash } : {}),
        cost: cost.get(model) ?? 0,
      });
    }
  }
  return lines;
}

export async function appendIndex(root: string, lines: IndexLine[]): Promise<void> {
  if (lines.length === 0) return;
  // One append at a time: lines of concurrent runs never interleave, and runs ending together share a write.
  await appenderFor(indexPath(root)).append(lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
}

const isLine = (value: unknown): value is IndexLine =>
  typeof value === 'object' && value !== null && (value as IndexLine).v === 1 && typeof (value as IndexLine).agent === 'string' && Array.isArray((value as IndexLine).calls);

/** Every line (for `runs stats`); a damaged line is skipped, not fatal. */
export async function readIndex(root: string): Promise<IndexLine[]> {
  const text = await readFile(indexPath(root), 'utf8').catch(() => '');
  const lines: IndexLine[] = [];
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    try {
      const value: unknown = JSON.parse(raw);
      if (isLine(value)) lines.push(value);
    } catch {
      // A line cut by a crash mid-append: the next append starts a fresh line.
    }
  }
  return lines;
}

/** Most recent lines per agent that `estimate` looks at: enough for stable medians, and cheap. */
export const recentLinesPerAgent = 200;

/** Bytes read per step when walking the index backwards. */
const chunkBytes = 256 * 1024;

/**
 * The most recent run lines of the given agents (indexing lines left out), newest first, at most `perAgent` each. Reads the file
 * backwards in chunks and parses only lines that name one of the agents, so its cost depends on how
 * far back the wanted lines are, not on the size of the file.
 */
export async function readRecent(root: string, agents: ReadonlySet<string>, perAgent = recentLinesPerAgent): Promise<IndexLine[]> {
  if (agents.size === 0) return [];
  const handle = await open(indexPath(root), 'r').catch(() => undefined);
  if (!handle) return [];
  try {
    const needles = [...agents].map((agent) => [agent, `"agent":${JSON.stringify(agent)}`] as const);
    const counts = new Map<string, number>();
    const found: IndexLine[] = [];
    let full = 0;
    let position = (await handle.stat()).size;
    // Bytes of a line cut by the chunk boundary, carried to the next (earlier) chunk.
    let carry = Buffer.alloc(0);
    while (position > 0 && full < agents.size) {
      const length = Math.min(chunkBytes, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      const joined = Buffer.concat([chunk, carry]);
      // The first (partial) line waits for the next chunk unless this is the start of the file.
      const firstBreak = position > 0 ? joined.indexOf(10) : -1;
      if (position > 0 && firstBreak === -1) {
        carry = joined;
        continue;
      }
      carry = position > 0 ? joined.subarray(0, firstBreak) : Buffer.alloc(0);
      const lines = joined.subarray(firstBreak + 1).toString('utf8').split('\n');
      for (let index = lines.length - 1; index >= 0 && full < agents.size; index--) {
        const raw = lines[index] ?? '';
        const match = raw ? needles.find(([, needle]) => raw.includes(needle)) : undefined;
        if (!match || (counts.get(match[0]) ?? 0) >= perAgent) continue;
        try {
          const value: unknown = JSON.parse(raw);
          // Indexing lines (step `@index`, see knowledge/run-index.ts) say nothing about a run's calls.
          if (isLine(value) && agents.has(value.agent) && value.step !== '@index') {
            found.push(value);
            const count = (counts.get(value.agent) ?? 0) + 1;
            counts.set(value.agent, count);
            if (count === perAgent) full++;
          }
        } catch {
          // skipped, as in readIndex
        }
      }
    }
    return found;
  } finally {
    await handle.close();
  }
}
