// Knowledge and memory around one agent call (RuntimePorts.augment): retrieval before the call
// (inject mode) or the knowledge_search tool (tool mode), the thread's earlier turns and summary,
// and the remember/recall tools. Embedding calls go through the chain and are charged like model
// calls. The user's turn is committed before the model is called, so a killed run leaves the
// thread intact (the unanswered question is kept but not replayed to the model).

import type { CompiledAgent, KnowledgeSettings, MemorySettings } from '../compile/ir.js';
import type { EmbedCharge, EmbeddingModelCache } from '../providers/embed-chain.js';
import { ModelCache } from '../providers/model-cache.js';
import type { SystemPart, ToolCallContent, ToolDefinition, ToolResultContent } from '../providers/types.js';
import type { AgentAugment, AugmentInput } from '../run/ports.js';
import { normalize, toFloat32 } from '../store/quantize.js';
import type { Stores } from '../store/types.js';
import { formatChunkList, formatKnowledgeBlock, provenance } from '../knowledge/format.js';
import { createEmbedder, searchKnowledge } from '../knowledge/service.js';
import { threadContext } from './thread.js';
import { knowledgeSearchTool, recallTool, rememberTool } from './tools.js';

export interface MemoryWiring {
  stores: Stores;
  env: NodeJS.ProcessEnv;
  /** `run --thread <id>`: continue this conversation. */
  threadId?: string;
  /** `run --sim`: the simulator's adapters instead of the real providers. */
  models?: ModelCache;
  embeddingModels?: EmbeddingModelCache;
}

const defaultThread = (agent: CompiledAgent): NonNullable<MemorySettings['thread']> => agent.memory?.thread ?? { window: 20, summary: agent.chain };

export function createAugment(wiring: MemoryWiring): (input: AugmentInput) => Promise<AgentAugment | undefined> {
  const models = wiring.models ?? new ModelCache(wiring.env);
  return async (input) => {
    const { agent } = input;
    const knowledge = agent.knowledge;
    const facts = agent.memory?.facts;
    const threadId = wiring.threadId;
    if (!knowledge && !facts && !threadId) return undefined;
    const onCharge = (charge: EmbedCharge) => input.charge(charge.model, charge.usage);
    const embedderFor = (chain: KnowledgeSettings['embedding']) => createEmbedder(chain, { env: wiring.env, emit: input.emit, signal: input.signal, models, ...(wiring.embeddingModels ? { embeddingModels: wiring.embeddingModels } : {}) });

    const system: SystemPart[] = [];
    const tools: ToolDefinition[] = [];
    const handlers = new Map<string, (call: ToolCallContent) => Promise<string>>();

    if (knowledge) {
      const embed = embedderFor(knowledge.embedding);
      const search = async (query: string, topK?: number) => {
        const chunks = await searchKnowledge(knowledge, wiring.stores.knowledge, embed, query, onCharge, topK);
        input.emit({ type: 'knowledge-retrieved', index: knowledge.index, query: query.slice(0, 200), chunks: chunks.length, sources: chunks.map(provenance) });
        return chunks;
      };
      if (knowledge.mode === 'inject') {
        const block = formatKnowledgeBlock(input.user, await search(input.user), knowledge.maxTokens);
        if (block) system.push({ text: block, cacheable: false });
      } else {
        tools.push(knowledgeSearchTool);
        handlers.set(knowledgeSearchTool.name, async (call) => formatChunkList(await search(String(call.input.query ?? ''), numberOr(call.input.top_k))));
      }
    }

    if (facts) {
      const embed = embedderFor(facts.embedding);
      const vectorOf = async (text: string) => {
        let model = facts.embedding.models[0]?.ref.id ?? facts.embedding.name;
        const [vector] = await embed([text], (charge) => {
          model = charge.model.ref.id;
          onCharge(charge);
        });
        return { vector: normalize(toFloat32(vector ?? [])), model };
      };
      tools.push(rememberTool, recallTool);
      handlers.set(rememberTool.name, async (call) => {
        const fact = String(call.input.fact ?? '').trim();
        if (!fact) throw new Error('remember needs a non-empty fact');
        const { vector, model } = await vectorOf(fact);
        const id = wiring.stores.memory.addFact(facts.scope, fact, model, vector);
        return `remembered as fact ${id} (scope ${facts.scope})`;
      });
      handlers.set(recallTool.name, async (call) => {
        const { vector, model } = await vectorOf(String(call.input.query ?? ''));
        const found = wiring.stores.memory.searchFacts(facts.scope, model, vector, numberOr(call.input.top_k) ?? facts.topK);
        return found.length === 0 ? 'No remembered facts match.' : found.map((fact, index) => `[${index + 1}] ${fact.text} (fact ${fact.id}, ${fact.createdAt.slice(0, 10)})`).join('\n');
      });
    }

    let history: AgentAugment['history'] = [];
    let userTurn: number | undefined;
    if (threadId) {
      const context = await threadContext(wiring.stores.memory, threadId, defaultThread(agent), input.generate, input.emit);
      history = context.history;
      if (context.summary) system.unshift(context.summary);
      userTurn = wiring.stores.memory.beginTurn(threadId, agent.name, input.user, input.runId);
    }

    return {
      system,
      history,
      tools,
      async runTool(call) {
        const handler = handlers.get(call.toolName);
        if (!handler) return { toolCallId: call.toolCallId, toolName: call.toolName, output: `error: unknown tool ${call.toolName}`, isError: true };
        try {
          return { toolCallId: call.toolCallId, toolName: call.toolName, output: await handler(call) };
        } catch (error) {
          if (input.signal.aborted) throw error;
          return { toolCallId: call.toolCallId, toolName: call.toolName, output: `error: ${error instanceof Error ? error.message : String(error)}`, isError: true } satisfies ToolResultContent;
        }
      },
      finish(answer) {
        if (threadId && userTurn !== undefined) wiring.stores.memory.finishTurn(threadId, userTurn, answer, input.runId);
      },
    };
  };
}

const numberOr = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.floor(value) : undefined);
