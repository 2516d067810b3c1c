import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRun } from '../../src/run/run.js';
import { loadRunState, runFiles } from '../../src/run/state.js';
import type { RunEvent } from '../../src/run/events.js';
import { agent, fakePorts, pipeline, step, textResult, type FakeCall } from './helpers.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'agentpipe-run-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function run(steps: ReturnType<typeof step>[], answer: Parameters<typeof fakePorts>[0], extra: { calls?: FakeCall[]; limits?: { maxCostUsd?: number; timeoutMs?: number }; concurrency?: number } = {}) {
  const events: RunEvent[] = [];
  const compiled = pipeline(root, steps, { ...(extra.limits ? { limits: extra.limits } : {}), ...(extra.concurrency ? { concurrency: extra.concurrency } : {}) });
  const promise = startRun({
    pipeline: compiled,
    target: 'templates/t.yaml',
    inputs: { topic: 'x' },
    ports: fakePorts(answer, extra.calls),
    env: {},
    signal: new AbortController().signal,
    onEvent: (event) => void events.push(event),
  });
  return { promise, events, compiled };
}

describe('pipeline executor', () => {
  it('runs independent steps in parallel and dependants after their needs, feeding outputs', async () => {
    let active = 0;
    let peak = 0;
    const order: string[] = [];
    const { promise } = run([step('a'), step('b'), step('c', { needs: ['a', 'b'] })], async ({ stepId, options }) => {
      active++;
      peak = Math.max(peak, active);
      await delay(20);
      active--;
      order.push(stepId);
      const user = options.messages[0];
      return textResult(stepId === 'c' && user?.role === 'user' ? `c saw ${user.content.includes('"a":{"output":"out-a"}')}` : `out-${stepId}`);
    });
    const result = await promise;
    expect(result.status).toBe('succeeded');
    expect(peak).toBe(2);
    expect(order.at(-1)).toBe('c');
    expect(result.outputs).toEqual({ output: 'c saw true' });
    expect(result.state.steps['c']?.status).toBe('succeeded');
    expect(result.costUsd).toBeCloseTo(0.06);
  });

  it('fans out for_each over an array with item and item index, keeping item order', async () => {
    const { promise } = run(
      [step('plan'), step('write', { needs: ['plan'], forEach: 'steps.plan.output.sections', concurrency: 2 })],
      async ({ stepId }) => {
        if (stepId === 'plan') return textResult('{"sections": ["intro", "body", "end"]}');
        await delay(stepId === 'write[0]' ? 30 : 5);
        return textResult(`text of ${stepId}`);
      },
    );
    const result = await promise;
    expect(result.outputs).toEqual({ output: ['text of write[0]', 'text of write[1]', 'text of write[2]'] });
    expect(result.state.steps['write']?.itemCount).toBe(3);
    expect(Object.keys(result.state.steps['write']?.items ?? {})).toHaveLength(3);
  });

  it('skips a step whose `when` renders falsy', async () => {
    const calls: FakeCall[] = [];
    const { promise, events } = run([step('a'), step('b', { when: '{{inputs.missing}}' })], () => textResult('x'), { calls });
    const result = await promise;
    expect(result.state.steps['b']?.status).toBe('skipped');
    expect(calls.map((call) => call.stepId)).toEqual(['a']);
    expect(events.some((event) => event.type === 'step-end' && event.stepId === 'b' && event.status === 'skipped')).toBe(true);
  });

  it('fails a failed step and skips its dependants (and theirs), and nothing else; a resume runs them', async () => {
    const steps = [step('bad'), step('after', { needs: ['bad'] }), step('last', { needs: ['after'] }), step('other')];
    let broken = true;
    const { promise, events, compiled } = run(steps, ({ stepId }) => {
      if (stepId === 'bad' && broken) throw new Error('model exploded');
      return textResult('ok');
    });
    const result = await promise;
    expect(result.status).toBe('failed');
    expect(result.state.steps['bad']).toMatchObject({ status: 'failed', error: 'model exploded' });
    expect(result.state.steps['after']).toMatchObject({ status: 'skipped', blockedBy: 'bad' });
    expect(result.state.steps['last']).toMatchObject({ status: 'skipped', blockedBy: 'after' });
    expect(result.state.steps['other']?.status).toBe('succeeded');
    const skips = events.filter((event) => event.type === 'step-end' && event.status === 'skipped').map((event) => [event.stepId, event.type === 'step-end' ? event.reason : '']);
    expect(skips).toEqual([['after', 'needs bad, which failed'], ['last', 'needs after, which was skipped']]);

    broken = false;
    const calls: FakeCall[] = [];
    const resumed = await startRun({ pipeline: compiled, target: 'templates/t.yaml', inputs: {}, ports: fakePorts(() => textResult('ok'), calls), env: {}, signal: new AbortController().signal, resume: await loadRunState(root, result.runId) });
    expect(resumed.status).toBe('succeeded');
    expect(calls.map((call) => call.stepId)).toEqual(['bad', 'after', 'last']);
    expect(resumed.state.steps['last']?.blockedBy).toBeUndefined();
  });

  it('warns once at 80% of the budget, keeps a final answer that reaches 100%, and stops before the next call', async () => {
    const calls: FakeCall[] = [];
    // Each call costs $0.02 (10 + 10 tokens at $0.001): b reaches 80%, c goes over, d is refused.
    const steps = [step('a'), step('b', { needs: ['a'] }), step('c', { needs: ['b'] }), step('d', { needs: ['c'] })];
    const { promise, events } = run(steps, () => textResult('x'), { calls, limits: { maxCostUsd: 0.05 } });
    const result = await promise;
    expect(result.status).toBe('budget-exceeded');
    expect(calls.map((call) => call.stepId)).toEqual(['a', 'b', 'c']);
    expect(events.filter((event) => event.type === 'budget-warning')).toEqual([expect.objectContaining({ scope: 'run', limitUsd: 0.05, stepId: 'b' })]);
    expect(result.error?.message).toBe('budget exceeded: the run spent $0.06 of its $0.05 limit (limits.max_cost in templates/t.yaml); run state saved');
    const saved = await loadRunState(root, result.runId);
    expect(saved.status).toBe('budget-exceeded');
    expect(saved.steps['c']?.status).toBe('succeeded');
    expect(saved.steps['d']).toMatchObject({ status: 'pending', stopped: 'budget', costUsd: 0 });
  });

  it('finishes a run whose last answer went over the budget, and says so once', async () => {
    const { promise, events } = run([step('only')], () => textResult('x'), { limits: { maxCostUsd: 0.01 } });
    const result = await promise;
    expect(result.status).toBe('succeeded');
    expect(events.filter((event) => event.type === 'budget-warning' || event.type === 'warning').map((event) => (event.type === 'warning' ? event.message : event.type))).toEqual([
      'budget exceeded: the run spent $0.02 of its $0.01 limit (limits.max_cost in templates/t.yaml) with its last answer, which was kept',
    ]);
  });

  it('stops an answer that asks for tools once over the budget, before any tool runs; the step keeps its cost', async () => {
    const calls: FakeCall[] = [];
    const tools: string[] = [];
    const withTools = step('spend', { agent: agent('spender', { toolSet: { ...agent('x').toolSet, tools: [{ kind: 'builtin', name: 'read', builtin: 'read' }] }, limits: { maxIterations: 5, maxCostUsd: 0.01 } }) });
    const events: RunEvent[] = [];
    const ports = fakePorts(() => ({ ...textResult(''), content: [{ type: 'tool-call', toolCallId: 't1', toolName: 'read', input: { path: 'a' } }], finishReason: 'tool-calls' }), calls);
    ports.executeTool = async (_toolSet, call) => (tools.push(call.toolName), { toolCallId: call.toolCallId, toolName: call.toolName, output: 'ran' });
    const result = await startRun({ pipeline: pipeline(root, [withTools], { limits: { maxCostUsd: 0.01 } }), target: 't', inputs: {}, ports, env: {}, signal: new AbortController().signal, onEvent: (event) => void events.push(event) });
    expect(result.status).toBe('budget-exceeded');
    expect(calls).toHaveLength(1);
    expect(tools).toEqual([]);
    expect(events.filter((event) => event.type === 'budget-warning')).toEqual([]);
    // The tightest of the equal limits: the agent's own.
    expect(result.error?.message).toBe("budget exceeded: agent 'spender' in step 'spend' spent $0.02 of its $0.01 limit (limits.max_cost in agents/spender.yaml); run state saved");
    expect(result.state.steps['spend']).toMatchObject({ status: 'pending', stopped: 'budget', costUsd: 0.02, usage: { inputTokens: 10, outputTokens: 10 } });
  });

  it('says where a for_each that is not an array is written, its path and what is there; dependants are skipped', async () => {
    const forEachSource = { file: 'templates/t.yaml', line: 7, col: 15 };
    const { promise } = run([step('plan'), step('write', { needs: ['plan'], forEach: 'steps.plan.output.sections', forEachSource }), step('end', { needs: ['write'] })], () => textResult('{"title": "T", "parts": []}'));
    const result = await promise;
    expect(result.status).toBe('failed');
    expect(result.state.steps['write']?.error).toBe(`templates/t.yaml:7:15: step 'write': for_each "steps.plan.output.sections" is not an array: steps.plan.output has no field "sections" (it has title, parts)`);
    expect(result.state.steps['end']).toMatchObject({ status: 'skipped', blockedBy: 'write' });

    const text = run([step('plan'), step('write', { needs: ['plan'], forEach: 'steps.plan.output', forEachSource })], () => textResult('just prose'));
    expect((await text.promise).state.steps['write']?.error).toBe(`templates/t.yaml:7:15: step 'write': for_each "steps.plan.output" is not an array: found a string ("just prose")`);
  });

  it('creates an empty audit.jsonl when no tool is called', async () => {
    const result = await run([step('a')], () => textResult('x')).promise;
    expect(await readFile(runFiles(root, result.runId).audit, 'utf8')).toBe('');
  });

  it("passes the agent's provider options with every call", async () => {
    const calls: FakeCall[] = [];
    const providerOptions = { openai: { reasoning_effort: 'low' } };
    await run([step('a', { agent: agent('tuned', { providerOptions }) })], () => textResult('x'), { calls }).promise;
    expect(calls[0]?.options.providerOptions).toEqual(providerOptions);
  });

  it('resumes: finished steps and for_each items are not called again and are paid once', async () => {
    let failItem = true;
    const first = run([step('plan'), step('write', { needs: ['plan'], forEach: 'steps.plan.output', concurrency: 1 }), step('end', { needs: ['write'] })], ({ stepId }) => {
      if (stepId === 'plan') return textResult('["a", "b", "c"]');
      if (stepId === 'write[1]' && failItem) throw new Error('flaky');
      return textResult(`done ${stepId}`);
    });
    const failed = await first.promise;
    expect(failed.status).toBe('failed');
    expect(failed.costUsd).toBeCloseTo(0.06);

    failItem = false;
    const calls: FakeCall[] = [];
    const state = await loadRunState(root, failed.runId);
    const events: RunEvent[] = [];
    const resumed = await startRun({
      pipeline: first.compiled,
      target: state.target,
      inputs: state.inputs,
      ports: fakePorts(({ stepId }) => textResult(`done ${stepId}`), calls),
      env: {},
      signal: new AbortController().signal,
      resume: state,
      onEvent: (event) => void events.push(event),
    });
    expect(resumed.status).toBe('succeeded');
    expect(calls.map((call) => call.stepId)).toEqual(['write[1]', 'end']);
    expect(resumed.outputs).toEqual({ output: 'done end' });
    expect(resumed.costUsd).toBeCloseTo(0.1);
    expect(events.find((event) => event.type === 'step-end' && event.stepId === 'plan')).toMatchObject({ status: 'cached' });
    const ledger = JSON.parse(await readFile(runFiles(root, failed.runId).state, 'utf8')).ledger.entries as Array<{ stepId: string }>;
    expect(ledger.map((entry) => entry.stepId).sort()).toEqual(['end', 'plan', 'write[0]', 'write[1]', 'write[2]']);
  });

  it('writes events.jsonl and step outputs without secret values', async () => {
    const secret = 'sk-test-abcdefghijklmnopqrstuvwx';
    const events: RunEvent[] = [];
    const result = await startRun({
      pipeline: pipeline(root, [step('a')]),
      target: 'templates/t.yaml',
      inputs: { note: secret },
      ports: fakePorts(() => textResult(`the key is ${secret}`)),
      env: { OPENAI_API_KEY: secret },
      signal: new AbortController().signal,
      onEvent: (event) => void events.push(event),
    });
    const files = runFiles(root, result.runId);
    for (const file of [files.state, files.events, join(files.steps, 'a.json')]) {
      const text = await readFile(file, 'utf8');
      expect(text.length).toBeGreaterThan(10);
      expect(text).not.toContain(secret);
    }
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it('fails the run when the run timeout fires, keeping finished steps', async () => {
    const { promise } = run([step('fast'), step('slow', { needs: ['fast'] })], async ({ stepId, options }) => {
      if (stepId === 'fast') return textResult('quick');
      return new Promise((_resolve, reject) => options.abortSignal?.addEventListener('abort', () => reject(new Error('aborted'))));
    }, { limits: { timeoutMs: 50 } });
    const result = await promise;
    expect(result.status).toBe('failed');
    expect(result.error?.message).toMatch(/run timed out after 50 ms/);
    expect(result.state.steps['fast']?.status).toBe('succeeded');
    expect(result.state.steps['slow']?.status).toBe('pending');
  });
});
