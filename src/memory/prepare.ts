// Before a run: open the store when the target has knowledge or memory (or `--thread` is given),
// check every knowledge index against its sources, and refuse a stale one unless `--reindex` asks
// to bring it up to date first. Either way the user is told which happened.

import type { CompiledPipeline } from '../compile/ir.js';
import { UsageError } from '../errors.js';
import type { EmbeddingModelCache } from '../providers/embed-chain.js';
import type { ModelCache } from '../providers/model-cache.js';
import { describeStaleness, isStale } from '../knowledge/index-state.js';
import { describeIndexReport, runIndex } from '../knowledge/run-index.js';
import { knowledgePlan } from '../knowledge/service.js';
import { knowledgeAgentsOf } from '../knowledge/targets.js';
import { openStores } from '../store/registry.js';
import type { MemoryWiring } from './runtime.js';
import { checkThreadFlag } from './thread-id.js';

export interface MemoryFlags {
  thread?: string;
  reindex?: boolean;
  /** `run --sim`: the simulator's adapters, a store of its own, and stale indexes rebuilt for free. */
  simulated?: { models: ModelCache; embeddingModels: EmbeddingModelCache };
}

export { checkThreadFlag } from './thread-id.js';

/** The wiring for the run, or undefined when nothing in it uses the store. `say` prints a line to stderr. */
export async function prepareMemory(
  pipeline: CompiledPipeline,
  env: NodeJS.ProcessEnv,
  flags: MemoryFlags,
  say: (line: string) => void,
): Promise<(MemoryWiring & { close(): void }) | undefined> {
  checkThreadFlag(pipeline, flags.thread);
  const knowledgeAgents = knowledgeAgentsOf(pipeline);
  const usesMemory = pipeline.steps.some((step) => step.agent.memory !== undefined);
  if (knowledgeAgents.length === 0 && !usesMemory && flags.thread === undefined) {
    if (flags.reindex) say('agentpipe: --reindex: this target has no knowledge: to index');
    return undefined;
  }
  const simulated = flags.simulated;
  const stores = await openStores({ root: pipeline.root, ...(simulated ? { simulated: true } : {}) });
  try {
    if (flags.thread !== undefined) {
      const owner = stores.memory.thread(flags.thread)?.agent;
      const agent = pipeline.steps[0]!.agent.name;
      if (owner !== undefined && owner !== agent) throw new UsageError(`thread "${flags.thread}" belongs to agent '${owner}', not '${agent}'; use another --thread id`);
    }
    for (const agent of knowledgeAgents) {
      const plan = await knowledgePlan(agent, stores.knowledge);
      if (!isStale(plan)) {
        if (flags.reindex) say(`agentpipe: --reindex: the knowledge index of '${agent.name}' is up to date (${plan.unchanged.length} file(s))`);
        continue;
      }
      if (simulated) {
        // Simulated embeddings cost nothing and live in their own store: index without asking.
        const report = await runIndex(agent, stores.knowledge, env, { progress: true, simulated });
        say(`agentpipe: --sim: indexed with the simulator's embeddings into ${stores.location} (the real index is untouched): ${describeIndexReport({ ...report, costUsd: 0 })}`);
        continue;
      }
      if (!flags.reindex) {
        throw new UsageError(
          `the knowledge index of agent '${agent.name}' is stale: ${describeStaleness(plan)}; run \`agentpipe index ${agent.source.file}\` first, or pass --reindex`,
        );
      }
      const report = await runIndex(agent, stores.knowledge, env, { progress: true, root: pipeline.root });
      say(`agentpipe: --reindex: ${describeIndexReport(report)}`);
    }
  } catch (error) {
    stores.close();
    throw error;
  }
  return { stores, env, ...(flags.thread !== undefined ? { threadId: flags.thread } : {}), ...(simulated ? { models: simulated.models, embeddingModels: simulated.embeddingModels } : {}), close: () => stores.close() };
}
