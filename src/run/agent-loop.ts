// The agent loop: call the model, run the tools it asks for (in parallel), return their results,
// repeat until a final answer. Stops on max_iterations, the budget (the model port refuses the call),
// the agent's timeout or an abort. Agents are data; this function is the only behaviour they have.

import { AgentpipeError, InterruptedError, RunFailedError } from '../errors.js';
import type { CompiledAgent, Limits } from '../compile/ir.js';
import {
  emptyUsage,
  type CallOptions,
  type GenerateResult,
  type Message,
  type SystemPart,
  type ToolCallContent,
  type ToolDefinition,
  type ToolResultContent,
  type Usage,
} from '../providers/types.js';
import type { EventSink } from './events.js';
import { checkAgainstSchema, parseOutput } from './output.js';

/** One answered model call: the chain already retried, fell back, priced and charged it. */
export interface ModelAnswer {
  result: GenerateResult;
  /** `provider/model` that answered. */
  model: string;
  costUsd: number;
}

export interface AgentLoopInput {
  agent: CompiledAgent;
  /** `step` or `step[3]`: stamped on every event. */
  stepId: string;
  limits: Limits;
  system: SystemPart[];
  user: string;
  /** Earlier turns of a conversation thread, sent before `user`. */
  history?: Message[];
  tools: ToolDefinition[];
  callModel(options: CallOptions, onTextDelta: (delta: string) => void): Promise<ModelAnswer>;
  runTool(call: ToolCallContent, signal: AbortSignal): Promise<ToolResultContent>;
  emit: EventSink;
  signal: AbortSignal;
}

export interface AgentLoopResult {
  text: string;
  /** Schema-checked JSON, parsed JSON, or the text. */
  output: unknown;
  usage: Usage;
  costUsd: number;
  iterations: number;
  model?: string;
}

export const defaultMaxIterations = 50;

export async function runAgentLoop(input: AgentLoopInput): Promise<AgentLoopResult> {
  const { agent, limits, stepId, emit } = input;
  const timeout = limits.timeoutMs ? AbortSignal.timeout(limits.timeoutMs) : undefined;
  const signal = timeout ? AbortSignal.any([input.signal, timeout]) : input.signal;
  const totals: AgentLoopResult = { text: '', output: undefined, usage: emptyUsage(), costUsd: 0, iterations: 0 };
  const messages: Message[] = [...(input.history ?? []), { role: 'user', content: input.user }];

  const stopReason = (): AgentpipeError | undefined => {
    if (input.signal.aborted) return input.signal.reason instanceof AgentpipeError ? input.signal.reason : new InterruptedError();
    if (timeout?.aborted) return new RunFailedError(`agent '${agent.name}' timed out after ${limits.timeoutMs} ms (limits.timeout)`);
    return undefined;
  };
  const call = async (tools: ToolDefinition[]): Promise<GenerateResult> => {
    const stopped = stopReason();
    if (stopped) throw stopped;
    totals.iterations++;
    const options: CallOptions = {
      system: input.system,
      messages: [...messages],
      ...(tools.length > 0 ? { tools } : {}),
      maxTokens: agent.params.maxTokens,
      ...(agent.params.temperature === undefined ? {} : { temperature: agent.params.temperature }),
      ...(agent.params.topP === undefined ? {} : { topP: agent.params.topP }),
      ...(agent.params.stop ? { stopSequences: agent.params.stop } : {}),
      ...(agent.providerOptions ? { providerOptions: agent.providerOptions } : {}),
      // Sent natively to every vendor; the check below stays, and the repair turn is the fallback.
      ...(agent.outputSchema ? { responseFormat: { name: agent.name, schema: agent.outputSchema } } : {}),
      abortSignal: signal,
    };
    let answer: ModelAnswer;
    try {
      answer = await input.callModel(options, (delta) => emit({ type: 'text-delta', stepId, delta }));
    } catch (error) {
      throw stopReason() ?? error;
    }
    addUsage(totals.usage, answer.result.usage);
    totals.costUsd += answer.costUsd;
    totals.model = answer.model;
    messages.push({ role: 'assistant', content: answer.result.content });
    return answer.result;
  };

  const maxIterations = limits.maxIterations > 0 ? limits.maxIterations : defaultMaxIterations;
  for (let turn = 0; turn < maxIterations; turn++) {
    const result = await call(input.tools);
    const toolCalls = result.content.filter((part): part is ToolCallContent => part.type === 'tool-call');
    if (toolCalls.length === 0) {
      totals.text = textOf(result);
      totals.output = agent.outputSchema ? await checkOutput(totals.text, agent.outputSchema, () => call(input.tools), messages, agent.name) : parseOutput(totals.text);
      return totals;
    }
    // Independent calls: the model asked for them together, so none depends on another's result.
    const results = await Promise.all(toolCalls.map((toolCall) => runOneTool(input, toolCall, signal)));
    const stopped = stopReason();
    if (stopped) throw stopped;
    messages.push({ role: 'tool', results });
  }
  throw new RunFailedError(`agent '${agent.name}' reached max_iterations (${maxIterations}) without a final answer`);
}

async function runOneTool(input: AgentLoopInput, toolCall: ToolCallContent, signal: AbortSignal): Promise<ToolResultContent> {
  try {
    return await input.runTool(toolCall, signal);
  } catch (error) {
    // A tool that throws is reported to the model as an error result; the model may recover.
    const message = error instanceof Error ? error.message : String(error);
    return { toolCallId: toolCall.toolCallId, toolName: toolCall.toolName, output: `error: ${message}`, isError: true };
  }
}

/** Validates the final JSON; asks the model once to repair it; fails the step if the repair fails too. */
async function checkOutput(
  text: string,
  schema: Record<string, unknown>,
  // Tools stay declared: Anthropic rejects a history holding tool calls when the request has no tools.
  call: () => Promise<GenerateResult>,
  messages: Message[],
  agentName: string,
): Promise<unknown> {
  const first = await checkAgainstSchema(text, schema);
  if (first.ok) return first.value;
  messages.push({
    role: 'user',
    content:
      `Your answer does not match the required output schema: ${first.problems}.\n` +
      `Reply with only the corrected JSON (no prose, no code fence) matching this JSON Schema:\n${JSON.stringify(schema)}`,
  });
  const repaired = textOf(await call());
  const second = await checkAgainstSchema(repaired, schema);
  if (second.ok) return second.value;
  throw new RunFailedError(`agent '${agentName}' output does not match output.schema after one repair attempt: ${second.problems}`);
}

const textOf = (result: GenerateResult): string =>
  result.content
    .filter((part) => part.type === 'text')
    .map((part) => part.text)
    .join('');

export function addUsage(total: Usage, usage: Usage): void {
  total.inputTokens += usage.inputTokens;
  total.outputTokens += usage.outputTokens;
  total.cacheReadTokens += usage.cacheReadTokens;
  total.cacheWriteTokens += usage.cacheWriteTokens;
}
