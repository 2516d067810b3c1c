// Runs one agent call of a step (or of one for_each item): renders its prompt, then drives the agent
// loop with a model port that checks the budget before each call and prices, records and charges
// each answer, and a tool port that runs tools through the permission engine and the audit log.

import type { CompiledPipeline, CompiledStep, Limits } from '../compile/ir.js';
import type { CallOptions, GenerateResult, ToolCallContent, ToolResultContent } from '../providers/types.js';
import type { ModelChain, ModelSpec } from '../compile/ir.js';
import type { Usage } from '../providers/types.js';
import type { AuditLog } from '../tools/audit.js';
import { isSecretEnvName } from '../tools/redact.js';
import { createDeltaRedactor } from './delta-redactor.js';
import { runAgentLoop, type ModelAnswer } from './agent-loop.js';
import type { Budget, BudgetScope } from './budget.js';
import type { EventSink } from './events.js';
import type { ItemOutcome, ItemSpend, PipelinePorts, TemplateContext } from './pipeline.js';
import type { CostLedger } from '../cost/ledger.js';
import type { RuntimePorts } from './ports.js';

export interface StepRunnerOptions {
  runId: string;
  pipeline: CompiledPipeline;
  ports: RuntimePorts;
  budget: Budget;
  ledger: CostLedger;
  audit: AuditLog;
  emit: EventSink;
  env: NodeJS.ProcessEnv;
  /** Told each item's first request text (system, user, tool definitions), for the ledger index's size and hash. */
  onPrompt?: (label: string, text: string) => void;
  /** Told each model request before it is sent (tracing records it as the call's input messages). */
  onRequest?: (label: string, request: CallOptions) => void;
}

/** Budget scopes one agent call is charged to. Names are stable across resumes (restored from run.json). */
export function budgetScopes(pipeline: CompiledPipeline, step: CompiledStep, label: string): BudgetScope[] {
  const at = (source: { file: string; line: number }) => `${source.file}:${source.line}`;
  return [
    { name: 'run', limitUsd: pipeline.limits.maxCostUsd, setIn: pipeline.source.file },
    { name: `step:${step.id}`, limitUsd: step.limits.maxCostUsd, setIn: pipeline.kind === 'agent' ? step.agent.source.file : at(step.source) },
    { name: `agent:${step.agent.name}@${label}`, limitUsd: step.agent.limits.maxCostUsd, setIn: step.agent.source.file },
  ];
}

/** Step limits win over the agent's; iterations and timeout apply to each agent call. */
const effectiveLimits = (step: CompiledStep): Limits => ({
  maxIterations: step.limits.maxIterations || step.agent.limits.maxIterations,
  ...(step.limits.timeoutMs ?? step.agent.limits.timeoutMs ? { timeoutMs: step.limits.timeoutMs ?? step.agent.limits.timeoutMs } : {}),
});

export function createItemRunner(options: StepRunnerOptions): PipelinePorts['runItem'] {
  const { ports, budget, ledger, pipeline } = options;
  const secretEnv = Object.fromEntries(Object.entries(options.env).filter(([name]) => isSecretEnvName(name)));
  return async (step: CompiledStep, label: string, context: TemplateContext, signal: AbortSignal, onSpend?: (spend: ItemSpend) => void): Promise<ItemOutcome> => {
    const { agent } = step;
    const emit: EventSink = (event) => options.emit({ ...event, stepId: event.stepId ?? label });
    const prompt = ports.renderPrompt(step, context);
    const scopes = budgetScopes(pipeline, step, label);
    const search = agent.search.mode === 'never' && !agent.toolSet.tools.some((tool) => tool.name === 'web_search') ? undefined : ports.search?.(agent.search, emit);

    const charge = (model: ModelSpec, usage: Usage, costUsd = ports.price(model, usage), result?: Pick<GenerateResult, 'finishReason' | 'responseModel'>) => {
      ledger.add({ runId: options.runId, stepId: label, agent: agent.name, provider: model.provider.name, model: model.ref.id, usage, costUsd, ...(ports.simulated ? { simulated: true } : {}) });
      emit({ type: 'usage', model: model.ref.id, usage, costUsd, ...(result ? { finishReason: result.finishReason } : {}), ...(result?.responseModel ? { responseModel: result.responseModel } : {}) });
      budget.charge(costUsd, scopes, label);
      onSpend?.({ usage, costUsd, model: model.ref.id });
      return costUsd;
    };

    const callModel = async (callOptions: Parameters<RuntimePorts['callChain']>[1], onTextDelta: (delta: string) => void): Promise<ModelAnswer> => {
      budget.assertCanSpend(scopes);
      options.onRequest?.(label, callOptions);
      const text = createDeltaRedactor(secretEnv, onTextDelta);
      const answer = await ports
        .callChain(agent.chain, callOptions, {
          emit,
          signal: callOptions.abortSignal ?? signal,
          onTextDelta: (delta) => text.push(delta),
          ...(search?.wrapModel ? { wrapModel: search.wrapModel } : {}),
        })
        .finally(() => text.flush());
      const costUsd = charge(answer.model, answer.result.usage, undefined, answer.result);
      // Its tools would only lead to a model call the budget refuses: stop before running them.
      // A final answer is kept: it is paid for, and nothing more is spent on this item.
      if (answer.result.content.some((part) => part.type === 'tool-call')) budget.assertCanSpend(scopes);
      return { result: answer.result, model: answer.model.ref.id, costUsd };
    };

    /** A side call (the thread summary): budget-checked and charged, its text never streamed. */
    const generate = async (chain: ModelChain, callOptions: CallOptions): Promise<GenerateResult> => {
      budget.assertCanSpend(scopes);
      const answer = await ports.callChain(chain, { ...callOptions, abortSignal: signal }, { emit, signal, onTextDelta: () => {} });
      charge(answer.model, answer.result.usage);
      return answer.result;
    };
    const augment = await ports.augment?.({ agent, label, runId: options.runId, user: prompt.user, emit, signal, charge: (model, usage) => void charge(model, usage), generate });
    const implicitTools = new Set(augment?.tools.map((tool) => tool.name));

    /** knowledge_search, remember and recall: answered here, audited like every tool call. */
    const runImplicitTool = async (call: ToolCallContent): Promise<ToolResultContent> => {
      const started = performance.now();
      const result = await augment!.runTool(call);
      await options.audit.append({
        time: new Date().toISOString(),
        agent: agent.name,
        step: label,
        tool: call.toolName,
        toolCallId: call.toolCallId,
        arguments: call.input,
        decision: 'allowed',
        ...(result.isError ? { reason: result.output } : {}),
        isError: result.isError === true,
        durationMs: Math.round(performance.now() - started),
        outputBytes: Buffer.byteLength(result.output, 'utf8'),
      });
      return result;
    };

    const runTool = async (call: ToolCallContent, toolSignal: AbortSignal) => {
      emit({ type: 'tool-call', tool: call.toolName, toolCallId: call.toolCallId, input: call.input });
      const result = implicitTools.has(call.toolName) ? await runImplicitTool(call) : await ports.executeTool(agent.toolSet, call, {
        agent: agent.name,
        stepId: label,
        audit: options.audit,
        signal: toolSignal,
        env: options.env,
        ...(search?.webSearch ? { webSearch: search.webSearch } : {}),
      });
      emit({
        type: 'tool-result',
        tool: call.toolName,
        toolCallId: call.toolCallId,
        // executeToolCall reports a denial as an error result that starts with "Permission denied".
        decision: result.isError && result.output.startsWith('Permission denied') ? 'denied' : 'allowed',
        outputBytes: Buffer.byteLength(result.output, 'utf8'),
        isError: result.isError === true,
      });
      return result;
    };

    const system = [...prompt.system, ...(augment?.system ?? [])];
    const tools = [...(await ports.toolDefinitions(agent.toolSet)), ...(augment?.tools ?? [])];
    options.onPrompt?.(label, [...system.map((part) => part.text), prompt.user, tools.map((definition) => JSON.stringify(definition)).join('\n')].join('\n'));
    const result = await runAgentLoop({
      agent,
      stepId: label,
      limits: effectiveLimits(step),
      system,
      user: prompt.user,
      ...(augment?.history.length ? { history: augment.history } : {}),
      tools,
      callModel,
      runTool,
      emit,
      signal,
    });
    augment?.finish(result.text);
    return { output: result.output, usage: result.usage, costUsd: result.costUsd, ...(result.model ? { model: result.model } : {}) };
  };
}
