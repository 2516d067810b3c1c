import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRunId, newRunId } from '../../src/run/ids.js';
import { createLimiter } from '../../src/run/limiter.js';
import { StateWriter, listRunStates, loadRunState, newStepState, readOutput, runFiles, type RunState } from '../../src/run/state.js';
import { UsageError } from '../../src/errors.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'agentpipe-state-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const state = (runId: string): RunState => ({
  version: 1,
  runId,
  target: 'agents/a.yaml',
  kind: 'agent',
  name: 'a',
  status: 'running',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  inputs: {},
  steps: { a: newStepState('a') },
  costUsd: 0,
  ledger: undefined,
});

describe('run ids', () => {
  it('sort by creation time and differ within one millisecond', () => {
    const early = newRunId(new Date('2026-01-01T00:00:00.000Z'));
    const late = newRunId(new Date('2026-01-01T00:00:00.001Z'));
    const same = [newRunId(new Date(0)), newRunId(new Date(0))];
    expect([late, early].sort()).toEqual([early, late]);
    expect(same[0]).not.toBe(same[1]);
    expect(isRunId(early)).toBe(true);
    expect(isRunId('../../etc')).toBe(false);
    expect(() => runFiles(root, '../x')).toThrow(UsageError);
  });
});

describe('run state', () => {
  it('saves run.json atomically, coalescing concurrent saves, and leaves no temp files', async () => {
    const id = newRunId();
    const writer = new StateWriter(runFiles(root, id), {});
    const current = state(id);
    const saves = [1, 2, 3, 4, 5].map((cost) => {
      current.costUsd = cost;
      return writer.save(current);
    });
    await Promise.all(saves);
    expect((await loadRunState(root, id)).costUsd).toBe(5);
    expect((await readdir(runFiles(root, id).dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('redacts secret env values from run.json and outputs', async () => {
    const id = newRunId();
    const secret = 'abcdef-secret-value-123';
    const writer = new StateWriter(runFiles(root, id), { MY_API_KEY: secret, HOME: '/home/me' });
    await writer.save({ ...state(id), inputs: { note: `key ${secret}`, home: '/home/me' } });
    await writer.saveOutput('a', { text: secret }, 2);
    const text = await readFile(runFiles(root, id).state, 'utf8');
    expect(text).not.toContain(secret);
    expect(text).toContain('/home/me');
    expect(await readOutput(runFiles(root, id), 'a', 2)).toEqual({ text: '[REDACTED]' });
  });

  it('lists runs oldest first and skips folders without run.json', async () => {
    const first = newRunId(new Date('2026-01-01T00:00:00Z'));
    const second = newRunId(new Date('2026-01-02T00:00:00Z'));
    await new StateWriter(runFiles(root, second), {}).save(state(second));
    await new StateWriter(runFiles(root, first), {}).save(state(first));
    expect((await listRunStates(root)).map((run) => run.runId)).toEqual([first, second]);
    await expect(loadRunState(root, newRunId())).rejects.toThrow(/no run/);
  });
});

describe('limiter', () => {
  it('never runs more than its limit at once and runs everything', async () => {
    const limiter = createLimiter(2);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((value) =>
        limiter.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((resolve) => setTimeout(resolve, 5));
          active--;
          return value * 2;
        }),
      ),
    );
    expect(results).toEqual([2, 4, 6, 8, 10]);
    expect(peak).toBe(2);
  });
});
