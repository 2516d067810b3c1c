// The cost ledger: one entry per model call, keyed by run, step, agent, provider and model, with
// totals and group-by. It is plain data so the run state can persist it (toJSON / fromJSON).

import type { Pricing } from '../compile/ir.js';
import { emptyUsage, type Usage } from '../providers/types.js';
import { addUsage, priceUsage } from './price.js';

export interface LedgerEntry {
  runId: string;
  /** Step id (with `[i]` for a for_each item); the agent name for a single-agent run. */
  stepId: string;
  agent: string;
  /** Provider name from providers.yaml. */
  provider: string;
  /** `provider/model` id. */
  model: string;
  usage: Usage;
  costUsd: number;
  /** ISO time the call finished. */
  time: string;
  /** `run --sim`: answered by the built-in simulator, at $0. */
  simulated?: true;
}

export type LedgerKey = 'runId' | 'stepId' | 'agent' | 'provider' | 'model';

export interface LedgerTotals {
  calls: number;
  usage: Usage;
  costUsd: number;
}

/** What `toJSON` produces and `fromJSON` accepts; versioned so the run state can evolve. */
export interface LedgerJson {
  version: 1;
  entries: LedgerEntry[];
}

export type LedgerInput = Omit<LedgerEntry, 'costUsd' | 'time'> & { time?: string } & ({ costUsd: number } | { pricing: Pricing });

export class CostLedger {
  private readonly list: LedgerEntry[] = [];

  constructor(entries: LedgerEntry[] = []) {
    for (const entry of entries) this.list.push({ ...entry, usage: { ...entry.usage } });
  }

  /** Records one call; pass `pricing` to have it priced, or an explicit `costUsd`. */
  add(input: LedgerInput): LedgerEntry {
    const { time, ...rest } = input;
    const costUsd = 'costUsd' in input ? input.costUsd : priceUsage(input.usage, input.pricing);
    const entry: LedgerEntry = {
      runId: rest.runId,
      stepId: rest.stepId,
      agent: rest.agent,
      provider: rest.provider,
      model: rest.model,
      usage: { ...rest.usage },
      costUsd,
      time: time ?? new Date().toISOString(),
      ...(rest.simulated ? { simulated: true as const } : {}),
    };
    this.list.push(entry);
    return entry;
  }

  get entries(): readonly LedgerEntry[] {
    return this.list;
  }

  total(filter?: Partial<Record<LedgerKey, string>>): LedgerTotals {
    const matching = filter ? this.list.filter((entry) => Object.entries(filter).every(([key, value]) => entry[key as LedgerKey] === value)) : this.list;
    return matching.reduce<LedgerTotals>(
      (totals, entry) => ({ calls: totals.calls + 1, usage: addUsage(totals.usage, entry.usage), costUsd: totals.costUsd + entry.costUsd }),
      { calls: 0, usage: emptyUsage(), costUsd: 0 },
    );
  }

  /** Totals per value of `key`, in first-seen order. */
  groupBy(key: LedgerKey): Map<string, LedgerTotals> {
    const groups = new Map<string, LedgerTotals>();
    for (const entry of this.list) {
      const current = groups.get(entry[key]) ?? { calls: 0, usage: emptyUsage(), costUsd: 0 };
      groups.set(entry[key], { calls: current.calls + 1, usage: addUsage(current.usage, entry.usage), costUsd: current.costUsd + entry.costUsd });
    }
    return groups;
  }

  toJSON(): LedgerJson {
    return { version: 1, entries: this.list.map((entry) => ({ ...entry, usage: { ...entry.usage } })) };
  }

  static fromJSON(value: unknown): CostLedger {
    const json = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
    if (!json || typeof json !== 'object' || (json as { version?: unknown }).version !== 1 || !Array.isArray((json as { entries?: unknown }).entries))
      throw new TypeError('not a version 1 cost ledger');
    return new CostLedger((json as LedgerJson).entries);
  }
}
