// The knowledge section of `explain`: each agent's sources, embedding chain, retrieval settings,
// the files its read permissions keep out, and whether its index is current. Never creates the
// store: without .agentpipe/store.db every index is "not built".

import { existsSync } from 'node:fs';
import type { CompiledPipeline } from '../compile/ir.js';
import { storePath } from '../store/sqlite.js';
import { openStores } from '../store/registry.js';
import { describeStaleness, isStale } from './index-state.js';
import { knowledgePlan } from './service.js';
import { knowledgeAgentsOf } from './targets.js';

export interface KnowledgeExplanation {
  agent: string;
  sources: string[];
  embedding: string[];
  mode: string;
  topK: number;
  minScore: number;
  chunk: { size: number; overlap: number };
  files: number;
  denied: string[];
  index: 'up to date' | 'stale' | 'not built';
  /** What is stale, when it is. */
  detail?: string;
}

export async function explainKnowledge(pipeline: CompiledPipeline): Promise<KnowledgeExplanation[]> {
  const agents = knowledgeAgentsOf(pipeline);
  if (agents.length === 0) return [];
  const hasStore = existsSync(storePath(pipeline.root));
  const stores = hasStore ? await openStores({ root: pipeline.root }) : undefined;
  try {
    const result: KnowledgeExplanation[] = [];
    for (const agent of agents) {
      const { knowledge } = agent;
      const plan = stores ? await knowledgePlan(agent, stores.knowledge) : undefined;
      const built = plan !== undefined && plan.unchanged.length + plan.changed.length + plan.removed.length > 0;
      const files = plan ? plan.added.length + plan.changed.length + plan.unchanged.length : 0;
      result.push({
        agent: agent.name,
        sources: knowledge.sources,
        embedding: knowledge.embedding.models.map((model) => model.ref.id),
        mode: knowledge.mode,
        topK: knowledge.topK,
        minScore: knowledge.minScore,
        chunk: knowledge.chunk,
        files,
        denied: plan?.denied.map((entry) => entry.path) ?? [],
        index: !built ? 'not built' : isStale(plan) ? 'stale' : 'up to date',
        ...(built && isStale(plan) ? { detail: describeStaleness(plan) } : {}),
      });
    }
    return result;
  } finally {
    stores?.close();
  }
}

export function describeKnowledge(entries: KnowledgeExplanation[]): string {
  return entries
    .map((entry) => {
      const lines = [
        `knowledge of ${entry.agent}: ${entry.mode}, top ${entry.topK}${entry.minScore > 0 ? ` (min score ${entry.minScore})` : ''}, chunks of ${entry.chunk.size} tokens (+${entry.chunk.overlap} overlap), embedded by ${entry.embedding.join(' -> ')}`,
        `  sources: ${entry.sources.join(', ')}${entry.files ? ` (${entry.files} readable file(s))` : ''}`,
        `  index: ${entry.index}${entry.detail ? `: ${entry.detail}` : ''}`,
      ];
      if (entry.denied.length) lines.push(`  not indexed (read permissions): ${entry.denied.join(', ')}`);
      return lines.join('\n');
    })
    .join('\n');
}
