// What the runtime needs from the other stages, in one place: the wiring to providers, tools,
// search, cost and compile lives here and nowhere else in src/run. Tests pass their own ports.

import type { CompiledAgent, CompiledStep, ModelChain, ModelSpec, SearchSettings, ToolSet } from '../compile/ir.js';
import type { CallOptions, GenerateResult, LanguageModel, Message, SystemPart, ToolCallContent, ToolDefinition, ToolResultContent, Usage } from '../providers/types.js';
import type { ToolCallContext } from '../tools/execute.js';
import type { EventSink } from './events.js';
import type { TemplateContext } from './pipeline.js';

export interface ChainHooks {
  emit: EventSink;
  signal: AbortSignal;
  onTextDelta(delta: string): void;
  /** Wraps each model of the chain (search augmentation). */
  wrapModel?: (model: LanguageModel) => LanguageModel;
}

export interface ChainAnswer {
  result: GenerateResult;
  /** The model that answered (after retries and fallbacks). */
  model: ModelSpec;
}

export type ToolContext = ToolCallContext;

/** What the knowledge and memory wiring gets for one agent call. */
export interface AugmentInput {
  agent: CompiledAgent;
  /** `step` or `step[3]`. */
  label: string;
  runId: string;
  /** The rendered user message. */
  user: string;
  emit: EventSink;
  signal: AbortSignal;
  /** Prices an embedding call and charges it to the ledger and budget of this item. */
  charge(model: ModelSpec, usage: Usage): void;
  /** A model call through the chain, budget-checked, priced and charged (the thread summary). */
  generate(chain: ModelChain, options: CallOptions): Promise<GenerateResult>;
}

/** Knowledge and memory around one agent call: extra system parts, earlier turns, implicit tools. */
export interface AgentAugment {
  system: SystemPart[];
  /** Earlier turns of the thread, sent before the user message. */
  history: Message[];
  tools: ToolDefinition[];
  /** Answers a call of one of `tools` (knowledge_search, remember, recall). */
  runTool(call: ToolCallContent): Promise<ToolResultContent>;
  /** Called with the final answer (a thread records the turn). */
  finish(answer: string): void;
}

export interface RuntimePorts {
  renderPrompt(step: CompiledStep, context: TemplateContext): { system: SystemPart[]; user: string };
  evaluateWhen(step: CompiledStep, context: TemplateContext): boolean;
  render(template: string, context: TemplateContext, source: CompiledStep['source']): string;
  callChain(chain: ModelChain, options: CallOptions, hooks: ChainHooks): Promise<ChainAnswer>;
  price(model: ModelSpec, usage: Usage): number;
  /** The chain's first model that can be called now (key set, not cooling down), for progress lines. */
  firstUsableModel?(chain: ModelChain): string | undefined;
  /** `run --sim`: every answer comes from the built-in simulator; events, ledger and state say so. */
  simulated?: boolean;
  /** Async when MCP servers must first be asked for their tools. */
  toolDefinitions(toolSet: ToolSet): ToolDefinition[] | Promise<ToolDefinition[]>;
  executeTool(toolSet: ToolSet, call: ToolCallContent, context: ToolContext): Promise<ToolResultContent>;
  /** Search augmentation and the web_search handler for an agent; undefined when it has none. */
  /** Knowledge and memory for an agent call; undefined (or absent) when the agent uses neither. */
  augment?(input: AugmentInput): Promise<AgentAugment | undefined>;
  search?(settings: SearchSettings, emit: EventSink): {
    wrapModel?: ChainHooks['wrapModel'];
    webSearch?: ToolContext['webSearch'];
  };
  /** Stops what the run started (MCP servers); called once when the run ends. */
  dispose?(): Promise<void>;
}
