// What the runtime needs from the other stages, in one place: the wiring to providers, tools,
// search, cost and compile lives here and nowhere else in src/run. Tests pass their own ports.

import type { CompiledStep, ModelChain, ModelSpec, SearchSettings, ToolSet } from '../compile/ir.js';
import type { CallOptions, GenerateResult, SystemPart, ToolCallContent, ToolDefinition, ToolResultContent, Usage } from '../providers/types.js';
import type { AuditLog } from '../tools/audit.js';
import type { EventSink } from './events.js';
import type { TemplateContext } from './pipeline.js';

export interface ChainHooks {
  emit: EventSink;
  signal: AbortSignal;
  onTextDelta(delta: string): void;
  /** Wraps each model of the chain (search augmentation). */
  wrapModel?: (model: import('../providers/types.js').LanguageModel) => import('../providers/types.js').LanguageModel;
}

export interface ChainAnswer {
  result: GenerateResult;
  /** The model that answered (after retries and fallbacks). */
  model: ModelSpec;
}

export interface LedgerEntry {
  runId: string;
  stepId: string;
  agent: string;
  provider: string;
  model: string;
  usage: Usage;
  costUsd: number;
}

/** The run's cost ledger (src/cost/ledger.ts); JSON-serialisable so run.json can carry it. */
export interface RunLedger {
  record(entry: LedgerEntry): void;
  total(): number;
  toJSON(): unknown;
}

export interface ToolContext {
  agent: string;
  stepId: string;
  audit: AuditLog;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  webSearch?: (input: { query: string; maxResults?: number }) => Promise<string>;
}

export interface RuntimePorts {
  renderPrompt(step: CompiledStep, context: TemplateContext): { system: SystemPart[]; user: string };
  render(template: string, context: TemplateContext): string;
  callChain(chain: ModelChain, options: CallOptions, hooks: ChainHooks): Promise<ChainAnswer>;
  price(model: ModelSpec, usage: Usage): number;
  createLedger(saved?: unknown): RunLedger;
  toolDefinitions(toolSet: ToolSet): ToolDefinition[];
  executeTool(toolSet: ToolSet, call: ToolCallContent, context: ToolContext): Promise<ToolResultContent>;
  /** Search augmentation and the web_search handler for an agent; undefined when it has none. */
  search?(settings: SearchSettings, emit: EventSink): {
    wrapModel?: ChainHooks['wrapModel'];
    webSearch?: ToolContext['webSearch'];
  };
}
