import { describe, expect, it } from 'vitest';
import { runAgentLoop, type AgentLoopInput, type ModelAnswer } from '../../src/run/agent-loop.js';
import { InterruptedError, RunFailedError } from '../../src/errors.js';
import type { CallOptions, GenerateResult, ToolCallContent } from '../../src/providers/types.js';
import type { RunEventInput } from '../../src/run/events.js';
import { agent, textResult, usage } from './helpers.js';

const toolCalls = (...names: string[]): GenerateResult => ({
  content: names.map((name, index): ToolCallContent => ({ type: 'tool-call', toolCallId: `c${index}`, toolName: name, input: { n: index } })),
  finishReason: 'tool-calls',
  usage: usage(5, 5),
  warnings: [],
});

function loopInput(script: Array<GenerateResult | ((options: CallOptions) => Promise<GenerateResult>)>, overrides: Partial<AgentLoopInput> = {}) {
  const events: RunEventInput[] = [];
  const seen: CallOptions[] = [];
  const input: AgentLoopInput = {
    agent: agent('a'),
    stepId: 's',
    limits: { maxIterations: 10 },
    system: [{ text: 'sys' }],
    user: 'hello',
    tools: [{ name: 'read', description: 'read', inputSchema: { type: 'object' } }],
    async callModel(options, onTextDelta): Promise<ModelAnswer> {
      seen.push(options);
      const next = script.shift();
      if (!next) throw new Error('script exhausted');
      const result = typeof next === 'function' ? await next(options) : next;
      for (const part of result.content) if (part.type === 'text') onTextDelta(part.text);
      return { result, model: 'sim/m1', costUsd: 0.01 };
    },
    async runTool(call) {
      return { toolCallId: call.toolCallId, toolName: call.toolName, output: `out ${call.toolName}` };
    },
    emit: (event) => void events.push(event),
    signal: new AbortController().signal,
    ...overrides,
  };
  return { input, events, seen };
}

describe('agent loop', () => {
  it('runs requested tools, returns their results and stops on the final answer', async () => {
    const { input, events, seen } = loopInput([toolCalls('read', 'grep'), textResult('done')]);
    const result = await runAgentLoop(input);
    expect(result.text).toBe('done');
    expect(result.output).toBe('done');
    expect(result.iterations).toBe(2);
    expect(result.costUsd).toBeCloseTo(0.02);
    expect(result.usage.inputTokens).toBe(15);
    const second = seen[1]!.messages;
    expect(second.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
    const toolMessage = second[2];
    expect(toolMessage?.role === 'tool' && toolMessage.results.map((r) => r.output)).toEqual(['out read', 'out grep']);
    expect(events).toContainEqual({ type: 'text-delta', stepId: 's', delta: 'done' });
  });

  it('runs independent tool calls in parallel', async () => {
    let active = 0;
    let peak = 0;
    const { input } = loopInput([toolCalls('a', 'b', 'c'), textResult('ok')], {
      async runTool(call) {
        active++;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 20));
        active--;
        return { toolCallId: call.toolCallId, toolName: call.toolName, output: 'x' };
      },
    });
    await runAgentLoop(input);
    expect(peak).toBe(3);
  });

  it('fails after max_iterations without a final answer', async () => {
    const { input } = loopInput([toolCalls('read'), toolCalls('read'), toolCalls('read')], { limits: { maxIterations: 2 } });
    await expect(runAgentLoop(input)).rejects.toThrow(/max_iterations \(2\)/);
  });

  it('turns a throwing tool into an error result for the model', async () => {
    const { input, seen } = loopInput([toolCalls('read'), textResult('recovered')], {
      async runTool() {
        throw new Error('disk on fire');
      },
    });
    expect((await runAgentLoop(input)).text).toBe('recovered');
    const tool = seen[1]!.messages[2];
    expect(tool?.role === 'tool' && tool.results[0]).toMatchObject({ isError: true, output: 'error: disk on fire' });
  });

  it('parses JSON output, fenced or not', async () => {
    const { input } = loopInput([textResult('```json\n{"a": 1}\n```')]);
    expect((await runAgentLoop(input)).output).toEqual({ a: 1 });
  });

  const schema = { type: 'object', required: ['answer'], properties: { answer: { type: 'string' } } };

  it('asks the model once to repair output that fails the schema', async () => {
    const { input, seen } = loopInput([textResult('{"wrong": true}'), textResult('{"answer": "42"}')], { agent: agent('a', { outputSchema: schema }) });
    expect((await runAgentLoop(input)).output).toEqual({ answer: '42' });
    const repair = seen[1]!.messages.at(-1);
    expect(repair?.role === 'user' && repair.content).toMatch(/must have required property 'answer'/);
  });

  it('fails when the repair does not match either', async () => {
    const { input } = loopInput([textResult('nope'), textResult('still nope')], { agent: agent('a', { outputSchema: schema }) });
    await expect(runAgentLoop(input)).rejects.toThrow(/does not match output.schema after one repair/);
  });

  it('stops with InterruptedError when aborted', async () => {
    const controller = new AbortController();
    const { input } = loopInput(
      [
        async (options) =>
          new Promise<GenerateResult>((_resolve, reject) => {
            options.abortSignal?.addEventListener('abort', () => reject(new Error('aborted by signal')));
            controller.abort();
          }),
      ],
      { signal: controller.signal },
    );
    await expect(runAgentLoop(input)).rejects.toBeInstanceOf(InterruptedError);
  });

  it('fails the agent when its timeout fires', async () => {
    const { input } = loopInput(
      [async (options) => new Promise<GenerateResult>((_resolve, reject) => options.abortSignal?.addEventListener('abort', () => reject(new Error('aborted'))))],
      { limits: { maxIterations: 5, timeoutMs: 30 } },
    );
    const error = await runAgentLoop(input).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RunFailedError);
    expect(String(error)).toMatch(/timed out after 30 ms/);
  });
});
