import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRun } from '../../src/run/run.js';
import { loadRunState, runFiles } from '../../src/run/state.js';
import type { RunEvent } from '../../src/run/events.js';
import { fakePorts, pipeline, step, textResult, type FakeCall } from './helpers.js';

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

  it('fails a failed step and its dependants, and nothing else', async () => {
    const { promise } = run([step('bad'), step('after', { needs: ['bad'] }), step('other')], ({ stepId }) => {
      if (stepId === 'bad') throw new Error('model exploded');
      return textResult('ok');
    });
    const result = await promise;
    expect(result.status).toBe('failed');
    expect(result.state.steps['bad']).toMatchObject({ status: 'failed', error: 'model exploded' });
    expect(result.state.steps['after']).toMatchObject({ status: 'failed', error: "not run: step 'bad' failed" });
    expect(result.state.steps['other']?.status).toBe('succeeded');
  });

  it('warns at 80% of the budget and stops before the next call at 100%, with state saved', async () => {
    const calls: FakeCall[] = [];
    // Each call costs $0.02 (10 + 10 tokens at $0.001).
    const { promise, events } = run([step('a'), step('b', { needs: ['a'] }), step('c', { needs: ['b'] })], () => textResult('x'), { calls, limits: { maxCostUsd: 0.04 } });
    const result = await promise;
    expect(result.status).toBe('budget-exceeded');
    expect(calls.map((call) => call.stepId)).toEqual(['a', 'b']);
    expect(events.find((event) => event.type === 'budget-warning')).toMatchObject({ scope: 'run', limitUsd: 0.04 });
    const saved = await loadRunState(root, result.runId);
    expect(saved.status).toBe('budget-exceeded');
    expect(saved.steps['c']?.status).toBe('pending');
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
