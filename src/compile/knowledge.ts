// An agent's `knowledge:` and `memory:` -> KnowledgeSettings / MemorySettings. Model references
// resolve like `model:` (a route or provider/model), with problems reported at their key.

import type { Checked } from '../validate/types.js';
import type { AgentFile } from '../validate/types.gen.js';
import { sourceRef } from './diagnostics.js';
import type { KnowledgeSettings, MemorySettings, ModelChain } from './ir.js';
import { resolveModelChain } from './models.js';
import type { CompileContext } from './agent.js';

export const knowledgeDefaults = { topK: 5, minScore: 0, mode: 'inject', chunkSize: 400, chunkOverlap: 50, maxTokens: 2000 } as const;
export const memoryDefaults = { window: 20, factsTopK: 5 } as const;

export function resolveKnowledge(context: CompileContext, agent: Checked<AgentFile>): KnowledgeSettings | undefined {
  const knowledge = agent.value.knowledge;
  if (!knowledge) return undefined;
  const embedding = resolveModelChain(knowledge.embedding, context.config.providers, context.env, context.diagnostics, { source: agent.source, path: ['knowledge', 'embedding'] });
  return {
    index: agent.value.name,
    sources: [...knowledge.sources],
    embedding,
    topK: knowledge.top_k ?? knowledgeDefaults.topK,
    minScore: knowledge.min_score ?? knowledgeDefaults.minScore,
    mode: knowledge.mode ?? knowledgeDefaults.mode,
    chunk: { size: knowledge.chunk?.size ?? knowledgeDefaults.chunkSize, overlap: knowledge.chunk?.overlap ?? knowledgeDefaults.chunkOverlap },
    maxTokens: knowledge.max_tokens ?? knowledgeDefaults.maxTokens,
    source: sourceRef(agent.source, ['knowledge']),
  };
}

export function resolveMemory(context: CompileContext, agent: Checked<AgentFile>, agentChain: ModelChain): MemorySettings | undefined {
  const memory = agent.value.memory;
  if (!memory) return undefined;
  const chain = (id: string, path: string[]) => resolveModelChain(id, context.config.providers, context.env, context.diagnostics, { source: agent.source, path });
  const settings: MemorySettings = {};
  if (memory.thread) {
    const summaryModel = memory.thread.summary_model;
    settings.thread = { window: memory.thread.window ?? memoryDefaults.window, summary: summaryModel ? chain(summaryModel, ['memory', 'thread', 'summary_model']) : agentChain };
  }
  if (memory.facts) {
    const embedding = memory.facts.embedding ?? agent.value.knowledge?.embedding;
    if (embedding) {
      settings.facts = {
        scope: memory.facts.scope ?? agent.value.name,
        embedding: chain(embedding, memory.facts.embedding ? ['memory', 'facts', 'embedding'] : ['knowledge', 'embedding']),
        topK: memory.facts.top_k ?? memoryDefaults.factsTopK,
      };
    } else {
      context.diagnostics.error(agent.source, ['memory', 'facts'], 'ref/model', 'memory.facts needs an embedding model to recall facts by similarity', 'set memory.facts.embedding (or knowledge.embedding) to an embedding model such as openai/text-embedding-3-small');
    }
  }
  return settings;
}
