// Runs one agent's indexing with a progress display on stderr, and describes the result.

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

export async function runIndex(
  agent: KnowledgeAgent,
  store: KnowledgeStore,
  env: NodeJS.ProcessEnv,
  options: { progress?: boolean; emit?: EventSink; signal?: AbortSignal; simulated?: { models: ModelCache; embeddingModels: EmbeddingModelCache } } = {},
): Promise<IndexReport> {
  const embed = createEmbedder(agent.knowledge.embedding, {
    env,
    ...(options.emit ? { emit: options.emit } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.simulated ? { models: options.simulated.models, embeddingModels: options.simulated.embeddingModels } : {}),
  });
  const printer = options.progress ? progressPrinter(agent.name) : undefined;
  try {
    return await indexAgent(agent, store, embed, printer ? (progress) => printer.update(progress) : undefined);
  } finally {
    printer?.end();
  }
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
