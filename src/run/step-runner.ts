// Runs one agent call of a step (or of one for_each item): renders its prompt, then drives the agent
// loop with a model port that checks the budget before each call and prices, records and charges
// each answer, and a tool port that runs tools through the permission engine and the audit log.

import type { CompiledPipeline, CompiledStep, Limits } from '../compile/ir.js';
import type { ToolCallContent } from '../providers/types.js';
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
    const tools = ports.toolDefinitions(agent.toolSet);
    options.onPrompt?.(label, [...prompt.system.map((part) => part.text), prompt.user, tools.map((definition) => JSON.stringify(definition)).join('\n')].join('\n'));
    const search = agent.search.mode === 'never' && !agent.toolSet.tools.some((tool) => tool.name === 'web_search') ? undefined : ports.search?.(agent.search, emit);

    const callModel = async (callOptions: Parameters<RuntimePorts['callChain']>[1], onTextDelta: (delta: string) => void): Promise<ModelAnswer> => {
      budget.assertCanSpend(scopes);
      const text = createDeltaRedactor(secretEnv, onTextDelta);
      const answer = await ports
        .callChain(agent.chain, callOptions, {
          emit,
          signal: callOptions.abortSignal ?? signal,
          onTextDelta: (delta) => text.push(delta),
          ...(search?.wrapModel ? { wrapModel: search.wrapModel } : {}),
        })
        .finally(() => text.flush());
      const costUsd = ports.price(answer.model, answer.result.usage);
      const model = answer.model.ref.id;
      ledger.add({ runId: options.runId, stepId: label, agent: agent.name, provider: answer.model.provider.name, model, usage: answer.result.usage, costUsd });
      emit({ type: 'usage', model, usage: answer.result.usage, costUsd });
      budget.charge(costUsd, scopes, label);
      onSpend?.({ usage: answer.result.usage, costUsd, model });
      // Its tools would only lead to a model call the budget refuses: stop before running them.
      // A final answer is kept: it is paid for, and nothing more is spent on this item.
      if (answer.result.content.some((part) => part.type === 'tool-call')) budget.assertCanSpend(scopes);
      return { result: answer.result, model, costUsd };
    };

    const runTool = async (call: ToolCallContent, toolSignal: AbortSignal) => {
      emit({ type: 'tool-call', tool: call.toolName, toolCallId: call.toolCallId, input: call.input });
      const result = await ports.executeTool(agent.toolSet, call, {
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

    const result = await runAgentLoop({
      agent,
      stepId: label,
      limits: effectiveLimits(step),
      system: prompt.system,
      user: prompt.user,
      tools,
      callModel,
      runTool,
      emit,
      signal,
    });
    return { output: result.output, usage: result.usage, costUsd: result.costUsd, ...(result.model ? { model: result.model } : {}) };
  };
}
