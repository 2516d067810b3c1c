// The ledger index, `runs stats` and the committed stats file: counts per agent and model, a
// schema'd export that lint accepts (and refuses when damaged), and `estimate` calibrated from it
// on a checkout with no runs. Index lines are written with the same code a run uses at its end.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendIndex, readIndex, readRecent, summariseRun, type IndexLine } from '../../src/cost/ledger-index.js';
import { computeStats } from '../../src/cost/stats.js';
import { agentYaml, makeProject, runCli } from '../e2e/helpers.js';

const env = { PATH: process.env['PATH'], HOME: process.env['HOME'] };
const entry = (runId: string, stepId: string, output: number, input = 500) => ({
  runId,
  stepId,
  agent: 'helper',
  provider: 'anthropic',
  model: 'anthropic/claude-test',
  usage: { inputTokens: input, outputTokens: output, cacheReadTokens: 0, cacheWriteTokens: 0 },
  costUsd: (input * 3 + output * 15) / 1e6,
  time: '2026-12-01T00:00:00.000Z',
});

function runLines(runId: string, outputs: number[], status = 'succeeded'): IndexLine[] {
  return summariseRun({
    runId,
    status,
    steps: [{ id: 'helper', agent: 'helper', fanout: false, search: false, durationMs: 1000 + outputs.length * 10 }],
    entries: outputs.map((output, index) => entry(runId, 'helper', output, 500 + index * 100)),
    providerTypes: new Map([['anthropic/claude-test', 'anthropic']]),
    prompts: new Map([['helper', { chars: 120, hash: 'abc' }]]),
  });
}

let root: string;
beforeAll(async () => {
  root = await makeProject({ 'agents/helper.yaml': agentYaml('helper', { tools: ['read'] }) });
  await appendIndex(root, runLines('20261201-000000-aaaa', [40, 200]));
  await appendIndex(root, runLines('20261201-000001-bbbb', [60, 220, 30]));
  await appendIndex(root, runLines('20261201-000002-cccc', [50], 'failed'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ledger index', () => {
  it('keeps one compact line per run and step with calls per item, and reads recent lines per agent', async () => {
    const lines = await readIndex(root);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatchObject({ agent: 'helper', step: 'helper', model: 'anthropic/claude-test', ptype: 'anthropic', calls: [[[500, 60, 0, 0], [600, 220, 0, 0], [700, 30, 0, 0]]], hash: 'abc', chars: 120 });
    // Newest first, at most `perAgent`, and nothing for agents not asked for.
    expect((await readRecent(root, new Set(['helper']), 2)).map((line) => line.run)).toEqual(['20261201-000002-cccc', '20261201-000001-bbbb']);
    expect(await readRecent(root, new Set(['other']))).toEqual([]);
    // A line cut by a crash is skipped, and the next append still parses.
    await writeFile(join(root, '.agentpipe/ledger-index.jsonl'), `${await readFile(join(root, '.agentpipe/ledger-index.jsonl'), 'utf8')}{"v":1,"run":"cut`);
    expect(await readIndex(root)).toHaveLength(3);
  });

  it("leaves an agent's indexing lines (step @index) out of the recent lines estimate calibrates on", async () => {
    const own = await makeProject({ 'agents/helper.yaml': agentYaml('helper', { tools: ['read'] }) });
    try {
      await appendIndex(own, runLines('20261201-000000-aaaa', [40]));
      const indexing: IndexLine = { ...runLines('index-1', [0])[0]!, step: '@index', model: 'openai/text-embedding-3-small', calls: [[[9000, 0, 0, 0]]] };
      await appendIndex(own, [indexing, { ...indexing, run: 'index-2' }]);
      expect((await readRecent(own, new Set(['helper']), 2)).map((line) => line.run)).toEqual(['20261201-000000-aaaa']);
      expect(await readIndex(own)).toHaveLength(3);
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });

  it('computes runs, success rate, percentiles and calls per item', () => {
    const stats = computeStats([...runLines('a', [40, 200]), ...runLines('b', [60, 220, 30]), ...runLines('c', [50], 'failed')], '2026-12-01T00:00:00.000Z');
    expect(stats.entries).toHaveLength(1);
    const [only] = stats.entries;
    expect(only).toMatchObject({ agent: 'helper', model: 'anthropic/claude-test', runs: 3, successRate: 0.67, callsPerItem: { p50: 2, max: 3 } });
    expect(only!.outputTokensPerCall).toEqual({ min: 30, p50: 55, max: 220 });
    expect(only!.inputTokensPerCall).toEqual({ min: 500, p50: 550, max: 700 });
  });
});

describe('runs stats (CLI)', () => {
  it('prints per agent and model, exports a linted file with counts only, and estimate reads it on a fresh checkout', async () => {
    const text = await runCli(['runs', 'stats'], { cwd: root, env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^agent\s+model\s+runs\s+success\s+p50 time\s+p95 time\s+p50 cost\s+p95 cost\s+calls\/item p50\s+max$/m);
    expect(text.stdout).toMatch(/^helper\s+anthropic\/claude-test\s+3\s+67%/m);

    const exported = await runCli(['runs', 'stats', '--export'], { cwd: root, env });
    expect(exported.code, exported.stderr).toBe(0);
    const file = JSON.parse(await readFile(join(root, '.agentpipe-stats.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(file)).toEqual(['version', 'generatedAt', 'entries']);
    const text2 = JSON.stringify(file);
    expect(text2).not.toContain('MARK-helper');
    expect((await runCli(['lint'], { cwd: root, env })).stdout).toMatch(/^no problems in \d+ files$/m);

    // A fresh checkout: the runs folder and index are gitignored, the stats file is committed.
    await rm(join(root, '.agentpipe'), { recursive: true, force: true });
    const estimate = await runCli(['estimate', 'agents/helper.yaml', '--json'], { cwd: root, env });
    expect(estimate.code, estimate.stderr).toBe(0);
    const report = JSON.parse(estimate.stdout) as { steps: Array<{ source: string }>; totalUsd: { low: number; expected: number; worst: number } };
    expect(report.steps[0]!.source).toBe('stats file: 3 runs');
    const prior = JSON.parse((await runCli(['estimate', 'agents/helper.yaml', '--json', '--no-history'], { cwd: root, env })).stdout) as typeof report;
    expect(prior.steps[0]!.source).toBe('prior');
    expect(report.totalUsd.expected).not.toBe(prior.totalUsd.expected);

    // A damaged stats file is a lint error naming it.
    await writeFile(join(root, '.agentpipe-stats.json'), JSON.stringify({ version: 1, generatedAt: 'now', entries: [{ agent: 'helper', prompt: 'leaked' }] }));
    const lint = await runCli(['lint'], { cwd: root, env });
    expect(lint.code).toBe(2);
    expect(lint.stdout).toMatch(/^\.agentpipe-stats\.json:1:1: error: /m);
    await rm(join(root, '.agentpipe-stats.json'));
    await mkdir(join(root, '.agentpipe'), { recursive: true });
  }, 120_000);
});

describe('readRecent over a large index', () => {
  it('walks chunks backwards across line boundaries and returns the newest lines of each agent', async () => {
    const big = await makeProject({});
    try {
      const lines: IndexLine[] = [];
      for (let run = 0; run < 3000; run++) lines.push(...runLines(`run-${run}`, [run % 7, 10 + (run % 5)]).map((line) => ({ ...line, agent: run % 3 === 0 ? 'rare' : 'helper' })));
      await appendIndex(big, lines);
      const recent = await readRecent(big, new Set(['helper', 'rare']), 150);
      expect(recent.filter((line) => line.agent === 'helper')).toHaveLength(150);
      expect(recent.filter((line) => line.agent === 'rare')).toHaveLength(150);
      expect(recent[0]!.run).toBe('run-2999');
      // Every line read back whole: the runs are consecutive, newest first.
      expect(recent.filter((line) => line.agent === 'rare').map((line) => line.run).slice(0, 3)).toEqual(['run-2997', 'run-2994', 'run-2991']);
      expect(await readRecent(big, new Set(['helper']), 5000)).toHaveLength(2000);
    } finally {
      await rm(big, { recursive: true, force: true });
    }
  });
});
