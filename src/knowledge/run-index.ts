// Runs one agent's indexing with a progress display on stderr, and describes the result. With a
// project root, the embedding calls are also appended to the ledger index (.agentpipe/ledger-index.jsonl)
// as step `@index` of the agent, one line per embedding model, so that `runs stats` counts what
// indexing cost next to what runs cost.

import { randomUUID } from 'node:crypto';
import { appendIndex, type CallTokens, type IndexLine } from '../cost/ledger-index.js';
import { priceUsage } from '../cost/price.js';
import type { EmbeddingModelCache } from '../providers/embed-chain.js';
import type { ModelCache } from '../providers/model-cache.js';
import type { EventSink } from '../run/events.js';
import type { KnowledgeStore } from '../store/types.js';
import { indexAgent, type IndexProgress, type IndexReport } from './indexer.js';
import { createEmbedder, type KnowledgeAgent } from './service.js';

const barWidth = 24;

/** A bar redrawn in place on a terminal; otherwise a line per file. */
function progressPrinter(agent: string): { update(progress: IndexProgress): void; end(): void } {
  const tty = process.stderr.isTTY === true;
  let drawn = false;
  return {
    update(progress) {
      if (!tty) {
        process.stderr.write(`index ${agent}: ${progress.done}/${progress.total} ${progress.file} (${progress.chunks} chunks)\n`);
        return;
      }
      const filled = Math.round((progress.done / Math.max(1, progress.total)) * barWidth);
      const line = `index ${agent} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${progress.done}/${progress.total} files, ${progress.chunks} chunks ${progress.file}`;
      process.stderr.write(`\r\u001b[2K${line.slice(0, (process.stderr.columns || 100) - 1)}`);
      drawn = true;
    },
    end() {
      if (drawn) process.stderr.write('\r\u001b[2K');
    },
  };
}

/** The step name of indexing in the ledger index. */
export const indexStep = '@index';

export async function runIndex(
  agent: KnowledgeAgent,
  store: KnowledgeStore,
  env: NodeJS.ProcessEnv,
  options: { progress?: boolean; emit?: EventSink; signal?: AbortSignal; root?: string; simulated?: { models: ModelCache; embeddingModels: EmbeddingModelCache } } = {},
): Promise<IndexReport> {
  const embed = createEmbedder(agent.knowledge.embedding, {
    env,
    ...(options.emit ? { emit: options.emit } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.simulated ? { models: options.simulated.models, embeddingModels: options.simulated.embeddingModels } : {}),
  });
  const printer = options.progress ? progressPrinter(agent.name) : undefined;
  const started = performance.now();
  let report: IndexReport;
  try {
    report = await indexAgent(agent, store, embed, printer ? (progress) => printer.update(progress) : undefined);
  } finally {
    printer?.end();
  }
  if (options.root !== undefined) await appendIndex(options.root, indexLines(report, performance.now() - started));
  return report;
}

/** Ledger index lines of one indexing: per embedding model that answered, its batches as calls. */
export function indexLines(report: IndexReport, durationMs: number, time = new Date().toISOString(), run = `index-${randomUUID()}`): IndexLine[] {
  const byModel = new Map<string, { type: string; calls: CallTokens[]; cost: number }>();
  for (const charge of report.charges) {
    const entry = byModel.get(charge.model.ref.id) ?? { type: charge.model.provider.type, calls: [], cost: 0 };
    entry.calls.push([charge.usage.inputTokens, 0, 0, 0]);
    entry.cost += priceUsage(charge.usage, charge.model.pricing);
    byModel.set(charge.model.ref.id, entry);
  }
  return [...byModel].map(([model, entry]) => ({
    v: 1,
    run,
    t: time,
    status: 'succeeded',
    agent: report.agent,
    step: indexStep,
    model,
    ptype: entry.type,
    ms: Math.round(durationMs),
    fanout: false,
    search: false,
    calls: [entry.calls],
    cost: entry.cost,
  }));
}

const usd = (value: number) => `$${value.toFixed(value > 0 && value < 0.01 ? 6 : 2)}`;

export function describeIndexReport(report: IndexReport): string {
  const changes = report.added + report.changed + report.removed === 0 ? 'up to date' : `${report.added} new, ${report.changed} changed, ${report.removed} removed`;
  const lines = [
    `${report.agent}: ${report.files} file(s), ${report.chunks} chunk(s) with ${report.embeddingModel}: ${changes}; embedded ${report.embeddedChunks} chunk(s), ${report.tokens} tokens, ${usd(report.costUsd)}`,
  ];
  for (const denied of report.denied) lines.push(`  not indexed (read permissions): ${denied.path}`);
  return lines.join('\n');
}
