// What the runtime needs from the other stages, in one place: the wiring to providers, tools,
// search, cost and compile lives here and nowhere else in src/run. Tests pass their own ports.

import type { CompiledStep, ModelChain, ModelSpec, SearchSettings, ToolSet } from '../compile/ir.js';
import type { CallOptions, GenerateResult, LanguageModel, SystemPart, ToolCallContent, ToolDefinition, ToolResultContent, Usage } from '../providers/types.js';
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

export interface RuntimePorts {
  renderPrompt(step: CompiledStep, context: TemplateContext): { system: SystemPart[]; user: string };
  evaluateWhen(step: CompiledStep, context: TemplateContext): boolean;
  render(template: string, context: TemplateContext, source: CompiledStep['source']): string;
  callChain(chain: ModelChain, options: CallOptions, hooks: ChainHooks): Promise<ChainAnswer>;
  price(model: ModelSpec, usage: Usage): number;
  /** `run --sim`: every answer comes from the built-in simulator; events, ledger and state say so. */
  simulated?: boolean;
  toolDefinitions(toolSet: ToolSet): ToolDefinition[];
  executeTool(toolSet: ToolSet, call: ToolCallContent, context: ToolContext): Promise<ToolResultContent>;
  /** Search augmentation and the web_search handler for an agent; undefined when it has none. */
  search?(settings: SearchSettings, emit: EventSink): {
    wrapModel?: ChainHooks['wrapModel'];
    webSearch?: ToolContext['webSearch'];
  };
}
