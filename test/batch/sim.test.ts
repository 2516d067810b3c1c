// `agentpipe batch` with no key: it stops before running any row and says what it looked for; with
// --sim the built-in simulator answers every row at $0, in a batch of its own.

import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { readJsonLines, runCli, simEnv } from '../e2e/helpers.js';
import { makeBatchProject, writeRows } from '../queue/project.js';

let sim: Simulator;

beforeAll(async () => {
  const { startSimulator } = await import('../../src/sim/index.js');
  sim = await startSimulator({ script: () => ({ text: 'real answer', usage: { input: 20, output: 5 } }) });
});
afterAll(async () => sim.close());

/** The simulator's address for every vendor, but no key in the environment. */
const keyless = () => simEnv(sim.url, {});

describe('agentpipe batch without a key', () => {
  it('stops before the first row, names the keys it looked for and offers --sim', async () => {
    const root = await makeBatchProject();
    await writeRows(root, 3);
    sim.reset();
    const result = await runCli(['batch', 'templates/two.yaml', '--inputs', 'rows.jsonl', '--yes'], { cwd: root, env: keyless() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ANTHROPIC_API_KEY');
    expect(result.stderr).toContain('--sim');
    expect(result.stderr).toContain('Nothing was run or spent');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(sim.requests).toHaveLength(0);
    await expect(access(join(root, '.agentpipe', 'runs'))).rejects.toThrow();
  });

  it('--sim runs every row through the built-in simulator at $0, and does not count for the real batch', async () => {
    const root = await makeBatchProject();
    await writeRows(root, 3);
    sim.reset();
    const simulated = await runCli(['batch', 'templates/two.yaml', '--inputs', 'rows.jsonl', '--yes', '--sim', '--out', 'sim.jsonl', '--json'], { cwd: root, env: keyless() });
    expect(simulated.code).toBe(0);
    expect(simulated.stderr).toContain('simulated');
    const lines = await readJsonLines(join(root, 'sim.jsonl'));
    expect(lines.map((line) => line['status'])).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(lines.every((line) => line['costUsd'] === 0)).toBe(true);
    // The test's own simulator (standing in for the real vendor) was never called.
    expect(sim.requests).toHaveLength(0);
    const summary = JSON.parse(simulated.stdout) as Record<string, unknown>;
    // The real batch over the same rows is another batch: nothing simulated counts as done there.
    const real = await runCli(['batch', 'templates/two.yaml', '--inputs', 'rows.jsonl', '--yes', '--json'], { cwd: root, env: simEnv(sim.url) });
    expect(real.code).toBe(0);
    expect((JSON.parse(real.stdout) as Record<string, unknown>)['batchId']).not.toBe(summary['batchId']);
    expect(sim.requests.length).toBe(6);
  });

  it('--sim is not held back by the providers\' rate limits: no call reaches a provider', async () => {
    // rpm 1: six real calls would take five minutes; simulated ones wait for nothing.
    const root = await makeBatchProject({ rpm: 1 });
    await writeRows(root, 3);
    const simulated = await runCli(['batch', 'templates/two.yaml', '--inputs', 'rows.jsonl', '--yes', '--sim', '--out', 'sim.jsonl'], { cwd: root, env: keyless() });
    expect(simulated.code, simulated.stderr).toBe(0);
    const runsDir = join(root, '.agentpipe', 'runs');
    const events = (await Promise.all((await readdir(runsDir)).map((id) => readJsonLines(join(runsDir, id, 'events.jsonl'))))).flat();
    expect(events.filter((event) => event['type'] === 'model-call')).toHaveLength(6);
    expect(events.filter((event) => event['type'] === 'rate-limit-wait')).toEqual([]);
  });

  it('refuses --sim with --queue', async () => {
    const root = await makeBatchProject();
    await writeRows(root, 1);
    const result = await runCli(['batch', 'templates/two.yaml', '--inputs', 'rows.jsonl', '--sim', '--queue', 'redis://127.0.0.1:1'], { cwd: root, env: keyless() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--sim cannot be used with --queue');
  });
});

describe('agentpipe batch: inputs files that hold no rows', () => {
  it('a missing file or a folder is a usage error naming the fix; an empty file runs nothing and says so', async () => {
    const root = await makeBatchProject();
    const missing = await runCli(['batch', 'templates/two.yaml', '--inputs', 'nope.jsonl', '--sim', '--yes'], { cwd: root, env: keyless() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.jsonl: no such file; check the path/);
    const folder = await runCli(['batch', 'templates/two.yaml', '--inputs', 'agents', '--sim', '--yes'], { cwd: root, env: keyless() });
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('it is a folder');
    await writeRows(root, 0, 'empty.jsonl');
    const empty = await runCli(['batch', 'templates/two.yaml', '--inputs', 'empty.jsonl', '--sim', '--yes'], { cwd: root, env: keyless() });
    expect(empty.code).toBe(0);
    expect(empty.stderr).toContain('empty.jsonl has no rows');
    for (const result of [missing, folder, empty]) expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
