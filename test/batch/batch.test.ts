// `agentpipe batch` run locally through the real CLI against the wire simulator: results in input
// order, bad rows by file:line, --strict, CSV, resume without paying twice, --max-cost, --retry-failed.

import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { readJsonLines, runCli, spawnCli } from '../e2e/helpers.js';
import { billedUsd, makeBatchProject, paidTwice, rowOf, startRowSimulator, testEnv, writeRows } from '../queue/project.js';

let sim: Simulator;
let latencyMs = 0;
/** Holds every second-step call this long (a kill test kills the batch while they wait). */
let holdSecondMs = 0;
const failRows = new Set<number>();

beforeAll(async () => {
  const { startSimulator } = await import('../../src/sim/index.js');
  sim = await startSimulator({
    script: (request) => {
      const row = rowOf(request);
      if (failRows.has(row)) return { fault: { kind: 'bad-request' } };
      const second = JSON.stringify(request.body).includes('MARK-b');
      return { text: `ok row-${row}`, latencyMs: second && holdSecondMs ? holdSecondMs : latencyMs, usage: { input: 20, output: 5 } };
    },
  });
});
afterAll(async () => sim.close());
beforeEach(() => {
  sim.reset();
  latencyMs = 0;
  holdSecondMs = 0;
  failRows.clear();
});

const batch = (root: string, args: string[]) => runCli(['batch', 'templates/two.yaml', ...args], { cwd: root, env: testEnv(sim) });

describe('agentpipe batch (local)', () => {
  it('writes one result per row in input order, reports bad rows as file:line, gives each row its own run', async () => {
    const root = await makeBatchProject();
    await writeFile(join(root, 'rows.jsonl'), ['{"task":"row-1"}', '{"task":"row-2"}', '{bad json', '{"other":"x"}', '', '{"task":"row-6"}', '[1]'].join('\n'));
    const result = await batch(root, ['--inputs', 'rows.jsonl', '--out', 'out.jsonl', '--concurrency', '2', '--json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('rows.jsonl:3: bad JSON');
    expect(result.stderr).toContain('rows.jsonl:4: unknown input "other"');
    expect(result.stderr).toContain('rows.jsonl:7: expected a JSON object');
    const lines = await readJsonLines(join(root, 'out.jsonl'));
    expect(lines.map((line) => [line['line'], line['status']])).toEqual([
      [1, 'succeeded'],
      [2, 'succeeded'],
      [3, 'invalid'],
      [4, 'invalid'],
      [6, 'succeeded'],
      [7, 'invalid'],
    ]);
    expect(lines[0]).toMatchObject({ output: 'ok row-1', costUsd: expect.any(Number) });
    const runIds = lines.filter((line) => line['status'] === 'succeeded').map((line) => String(line['runId']));
    expect(new Set(runIds).size).toBe(3);
    for (const runId of runIds) {
      // A row's folder: its state (small step outputs inside it), its whole event log, its audit log.
      const folder = join(root, '.agentpipe', 'runs', runId);
      expect((await readdir(folder)).sort()).toEqual(['audit.jsonl', 'events.jsonl', 'run.json']);
      const state = JSON.parse(await readFile(join(folder, 'run.json'), 'utf8')) as { status: string; inputs: { task: string }; steps: Record<string, { output?: unknown }> };
      expect(state.status).toBe('succeeded');
      expect(state.steps['first']?.output).toBe(`ok ${state.inputs.task}`);
      const events = (await readJsonLines(join(folder, 'events.jsonl'))).map((event) => event['type']);
      expect(events[0]).toBe('run-start');
      expect(events.at(-1)).toBe('run-end');
      expect(events.filter((type) => type === 'step-end')).toHaveLength(2);
    }
    // The batch process has exited: no lock is left, nor the owner file its locks linked to.
    expect(await readdir(join(root, '.agentpipe', 'lock-owners'))).toEqual([]);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ rows: 6, succeeded: 3, invalid: 3, failed: 0, failureClasses: { 'invalid-row': 3 } });
    expect(summary['costUsd']).toBeCloseTo(billedUsd(sim.requests), 9);
    expect(Object.keys(summary['costByModel'] as object)).toEqual(['anthropic/claude-test']);
    expect(sim.requests).toHaveLength(6);
  });

  it('resumes: the same command again runs nothing more and exits 0', async () => {
    const root = await makeBatchProject();
    await writeRows(root, 5);
    const first = await batch(root, ['--inputs', 'rows.jsonl', '--out', 'out.jsonl']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/5 succeeded/);
    const calls = sim.requests.length;
    const again = await batch(root, ['--inputs', 'rows.jsonl', '--out', 'out.jsonl', '--json']);
    expect(again.code).toBe(0);
    expect(sim.requests.length).toBe(calls);
    expect(JSON.parse(again.stdout)).toMatchObject({ resumed: 5, succeeded: 5 });
    expect((await readJsonLines(join(root, 'out.jsonl'))).map((line) => line['line'])).toEqual([1, 2, 3, 4, 5]);
  });

  it('--strict refuses a batch with a bad row before any call', async () => {
    const root = await makeBatchProject();
    await writeFile(join(root, 'rows.jsonl'), '{"task":"row-1"}\n{"nope":1}\n');
    const result = await batch(root, ['--inputs', 'rows.jsonl', '--strict']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('rows.jsonl:2: ');
    expect(result.stderr).toContain('nothing was run');
    expect(sim.requests).toHaveLength(0);
  });

  it('reads CSV with a header, quoted commas and newlines, and names rows by their line', async () => {
    const root = await makeBatchProject();
    await writeFile(join(root, 'rows.csv'), 'task\nrow-1\n"row-2, with a comma"\n"row-3\nover two lines"\nrow-5\n');
    const result = await batch(root, ['--inputs', 'rows.csv', '--out', 'out.jsonl']);
    expect(result.code).toBe(0);
    const lines = await readJsonLines(join(root, 'out.jsonl'));
    expect(lines.map((line) => line['line'])).toEqual([2, 3, 4, 6]);
    expect(lines.map((line) => line['output'])).toEqual(['ok row-1', 'ok row-2', 'ok row-3', 'ok row-5']);
  });

  it('--max-cost stops the batch (exit 3); a re-run with a higher limit finishes without paying a row twice', async () => {
    const root = await makeBatchProject();
    await writeRows(root, 12);
    latencyMs = 50;
    // One row costs 2 calls x $0.000135; the limit is reached after about 3 rows.
    const stopped = await batch(root, ['--inputs', 'rows.jsonl', '--out', 'out.jsonl', '--concurrency', '2', '--max-cost', '0.0008', '--json']);
    expect(stopped.code).toBe(3);
    const summary = JSON.parse(stopped.stdout) as { succeeded: number; notRun: number; stopped: string };
    expect(summary.stopped).toBe('budget');
    expect(summary.succeeded).toBeLessThan(12);
    expect(summary.notRun).toBeGreaterThan(0);
    const finished = await batch(root, ['--inputs', 'rows.jsonl', '--out', 'out.jsonl', '--concurrency', '2', '--max-cost', '1', '--json']);
    expect(finished.code).toBe(0);
    expect(JSON.parse(finished.stdout)).toMatchObject({ succeeded: 12 });
    expect(paidTwice(sim.requests)).toEqual([]);
  });

  it('keeps failed rows failed on a re-run; --retry-failed runs them again', async () => {
    const root = await makeBatchProject();
    await writeRows(root, 4);
    failRows.add(3);
    const first = await batch(root, ['--inputs', 'rows.jsonl', '--out', 'out.jsonl', '--json']);
    expect(first.code).toBe(1);
    expect(JSON.parse(first.stdout)).toMatchObject({ succeeded: 3, failed: 1, failureClasses: { invalid_request: 1 } });
    const failedLine = (await readJsonLines(join(root, 'out.jsonl')))[2]!;
    expect(failedLine).toMatchObject({ line: 3, status: 'failed', error: expect.any(String) });
    failRows.clear();
    const calls = sim.requests.length;
    const again = await batch(root, ['--inputs', 'rows.jsonl', '--out', 'out.jsonl']);
    expect(again.code).toBe(1);
    expect(sim.requests.length).toBe(calls);
    const retried = await batch(root, ['--inputs', 'rows.jsonl', '--out', 'out.jsonl', '--retry-failed', '--json']);
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.stdout)).toMatchObject({ succeeded: 4, failed: 0 });
    // The failed row's run is resumed: same run id.
    expect((await readJsonLines(join(root, 'out.jsonl')))[2]).toMatchObject({ runId: failedLine['runId'], status: 'succeeded' });
  });

  it('a batch killed mid-row resumes it: no finished step is paid again', async () => {
    const root = await makeBatchProject();
    await writeRows(root, 8);
    // Second steps are held, so the kill lands while four rows have their first step answered and
    // saved and their second step in flight (however slowly a loaded machine tears the process down).
    holdSecondMs = 10_000;
    const { child, done } = spawnCli(['batch', 'templates/two.yaml', '--inputs', 'rows.jsonl', '--out', 'out.jsonl', '--concurrency', '4'], { cwd: root, env: testEnv(sim) });
    while (sim.requests.filter((request) => JSON.stringify(request.body).includes('MARK-b')).length < 4) await new Promise((resolve) => setTimeout(resolve, 10));
    // Events are appended at most 1 s apart: by now every event of the first steps is on disk.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    child.kill('SIGKILL');
    await done;
    holdSecondMs = 0;
    const killed = [...new Map((await readJsonLines(join(root, '.agentpipe', 'batches', (await readdir(join(root, '.agentpipe', 'batches')))[0]!, 'ledger.jsonl'))).map((entry) => [entry['line'], entry])).values()].filter((entry) => !entry['result']);
    expect(killed).toHaveLength(4);
    for (const entry of killed) {
      const folder = join(root, '.agentpipe', 'runs', String(entry['runId']));
      // The first step's output is kept in run.json (no steps/ folder), and its events are on disk.
      const state = JSON.parse(await readFile(join(folder, 'run.json'), 'utf8')) as { status: string; steps: Record<string, { status: string; output?: unknown }> };
      expect(state.status).toBe('running');
      expect(state.steps['first']).toMatchObject({ status: 'succeeded', output: `ok row-${String(entry['line'])}` });
      expect(await readdir(folder)).not.toContain('steps');
      const events = await readJsonLines(join(folder, 'events.jsonl'));
      expect(events.filter((event) => event['type'] === 'step-end').map((event) => event['stepId'])).toEqual(['first']);
      expect(events.some((event) => event['type'] === 'step-start' && event['stepId'] === 'second')).toBe(true);
      expect(events.map((event) => event['type'])).not.toContain('run-end');
    }
    const resumed = await batch(root, ['--inputs', 'rows.jsonl', '--out', 'out.jsonl', '--json']);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ succeeded: 8 });
    expect(paidTwice(sim.requests)).toEqual([]);
    const lines = await readJsonLines(join(root, 'out.jsonl'));
    expect(lines.map((line) => line['output'])).toEqual(Array.from({ length: 8 }, (_, index) => `ok row-${index + 1}`));
    const ledger = await readFile(join(root, '.agentpipe', 'batches', String(JSON.parse(resumed.stdout).batchId), 'ledger.jsonl'), 'utf8');
    expect(ledger.length).toBeGreaterThan(0);
    await rm(root, { recursive: true, force: true });
  });

  it('rejects bad flags as usage errors', async () => {
    const root = await makeBatchProject();
    await writeRows(root, 1);
    expect((await batch(root, ['--inputs', 'rows.jsonl', '--concurrency', '0'])).stderr).toContain('--concurrency must be');
    expect((await batch(root, ['--inputs', 'rows.jsonl', '--max-cost', 'lots'])).code).toBe(2);
    expect((await batch(root, [])).stderr).toContain('--inputs');
    expect((await batch(root, ['--inputs', 'rows.txt'])).code).toBe(2);
  });
});
