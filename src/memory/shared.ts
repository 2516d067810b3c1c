// Knowledge and memory facts for processes that run many runs: a batch, a queue worker, serve. The
// store is opened on the first call of an agent that needs it (a process whose agents have no
// knowledge never loads SQLite or sqlite-vec) and shared by every run after. Before retrieval the
// agent's index is checked against its sources, as `run` does: a stale index fails the step with
// the command that fixes it, instead of answering from outdated text. The check is remembered for a
// few seconds, so a batch of 1,000 rows does not hash the sources 1,000 times. A run given a
// conversation thread (serve's `thread`, `run --queue --thread`) gets an augment of its own.

import type { CompiledAgent } from '../compile/ir.js';
import { UsageError } from '../errors.js';
import type { EmbeddingModelCache } from '../providers/embed-chain.js';
import type { ModelCache } from '../providers/model-cache.js';
import type { AgentAugment, AugmentInput } from '../run/ports.js';
import type { Stores } from '../store/types.js';

export interface SharedMemoryOptions {
  /** Simulated runs (`--sim`): the simulator's adapters, the simulated store, stale indexes rebuilt for free. */
  simulated?: { models: ModelCache; embeddingModels: EmbeddingModelCache };
  /** Adapters shared with the runs (embedding key checks, cooldowns). */
  models?: ModelCache;
}

const freshForMs = 5000;

export class SharedMemory {
  private stores: Promise<Stores> | undefined;
  private models: ModelCache | undefined;
  private embeddingModels: EmbeddingModelCache | undefined;
  private readonly checked = new Map<string, { at: number; done: Promise<void> }>();

  constructor(
    private readonly root: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly options: SharedMemoryOptions = {},
  ) {}

  /** RuntimePorts.augment for the runs of this process that continue no conversation thread. */
  readonly augment = (input: AugmentInput): Promise<AgentAugment | undefined> => this.augmentWith(input, undefined);

  /** RuntimePorts.augment for one run: `thread` continues (or starts) that conversation, as `run --thread` does. */
  augmentFor(thread: string | undefined): (input: AugmentInput) => Promise<AgentAugment | undefined> {
    return thread === undefined ? this.augment : (input) => this.augmentWith(input, thread);
  }

  private async augmentWith(input: AugmentInput, thread: string | undefined): Promise<AgentAugment | undefined> {
    const { agent } = input;
    if (!agent.knowledge && !agent.memory?.facts && thread === undefined) return undefined;
    const stores = await this.open();
    if (agent.knowledge) await this.requireFresh(agent, stores);
    if (thread !== undefined) {
      const owner = stores.memory.thread(thread)?.agent;
      if (owner !== undefined && owner !== agent.name) throw new UsageError(`thread "${thread}" belongs to agent '${owner}', not '${agent.name}'; use another thread id`);
    }
    const [{ createAugment }, { ModelCache }, { EmbeddingModelCache }] = await Promise.all([import('./runtime.js'), import('../providers/model-cache.js'), import('../providers/embed-chain.js')]);
    const { simulated } = this.options;
    // One set of embedding clients for every run of the process, not a new one per call.
    this.models ??= simulated?.models ?? this.options.models ?? new ModelCache(this.env);
    this.embeddingModels ??= simulated?.embeddingModels ?? new EmbeddingModelCache(this.env);
    return createAugment({ stores, env: this.env, models: this.models, embeddingModels: this.embeddingModels, ...(thread !== undefined ? { threadId: thread } : {}) })(input);
  }

  /** Checks every knowledge index of a pipeline up front (a batch refuses to start on a stale one). */
  async prepare(agents: CompiledAgent[]): Promise<void> {
    const needing = agents.filter((agent) => agent.knowledge || agent.memory?.facts);
    if (needing.length === 0) return;
    const stores = await this.open();
    for (const agent of needing) if (agent.knowledge) await this.requireFresh(agent, stores);
  }

  async close(): Promise<void> {
    const stores = this.stores;
    this.stores = undefined;
    if (stores) (await stores.catch(() => undefined))?.close();
  }

  private open(): Promise<Stores> {
    this.stores ??= import('../store/registry.js').then(({ openStores }) => openStores({ root: this.root, ...(this.options.simulated ? { simulated: true } : {}) }));
    return this.stores;
  }

  private requireFresh(agent: CompiledAgent, stores: Stores): Promise<void> {
    const key = agent.name;
    const earlier = this.checked.get(key);
    if (earlier && Date.now() - earlier.at < freshForMs) return earlier.done;
    const done = this.check(agent, stores);
    this.checked.set(key, { at: Date.now(), done });
    // A failed check is not remembered: the next run checks again (the user may have indexed meanwhile).
    done.catch(() => this.checked.delete(key));
    return done;
  }

  private async check(agent: CompiledAgent, stores: Stores): Promise<void> {
    const [{ knowledgePlan, hasKnowledge }, { isStale, describeStaleness }] = await Promise.all([import('../knowledge/service.js'), import('../knowledge/index-state.js')]);
    if (!hasKnowledge(agent)) return;
    const plan = await knowledgePlan(agent, stores.knowledge);
    if (!isStale(plan)) return;
    if (this.options.simulated) {
      const { runIndex } = await import('../knowledge/run-index.js');
      await runIndex(agent, stores.knowledge, this.env, { simulated: this.options.simulated });
      return;
    }
    throw new UsageError(`the knowledge index of agent '${agent.name}' is stale: ${describeStaleness(plan)}; run \`agentpipe index ${agent.source.file}\` first`);
  }
}
