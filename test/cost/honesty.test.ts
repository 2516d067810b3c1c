// Cost honesty through the real CLI: eight targets run against the wire simulator, which bills
// every call by what its request weighs (src/sim/measure.ts) and caches Anthropic layers. For each
// target: low <= actual <= worst before any history and after three runs, and after three runs the
// expected cost lands within ±15% of the fourth run's. Answer lengths vary from run to run.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimTurn, type Simulator } from '../../src/sim/index.js';
import { ddgFixture, html, startServer, type LocalServer } from '../search/helpers.js';
import { agentYaml, makeProject, providersYaml, runCli, simEnv } from '../e2e/helpers.js';

let sim: Simulator;
let ddg: LocalServer;
beforeAll(async () => {
  sim = await startSimulator();
  sim.setMeasureUsage(true);
  ddg = await startServer(() => html(ddgFixture('results.html')));
});
afterAll(async () => {
  await Promise.all([sim.close(), ddg.close()]);
});

const providers = providersYaml().replace(
  'anthropic/claude-test: { pricing: { input: 3.00, output: 15.00 } }',
  'anthropic/claude-test: { pricing: { input: 3.00, output: 15.00, cache_read: 0.30, cache_write: 3.75 } }',
);

const words = (count: number, seed: number) => Array.from({ length: count }, (_unused, index) => ['alpha', 'bravo', 'cost', 'delta', 'echo', 'floor'][(index + seed) % 6]).join(' ');
/** Answer lengths (words) of runs 1-4: the fourth is near the median of the first three. */
const lengths = [120, 90, 150, 115];

interface Target {
  name: string;
  files: Record<string, string>;
  target: string;
  args: string[];
  /** Turns of one run whose answers are `length` words long. */
  turns: (length: number, run: number) => SimTurn[];
  before?: () => void;
  expectedCode?: number;
}

const layer = (seed: number) => `version: 1\ntext: |\n  ${words(400, seed)}\n`;

const targets: Target[] = [
  {
    name: 'no tools',
    files: { 'agents/plain.yaml': agentYaml('plain') },
    target: 'agents/plain.yaml',
    args: ['--input', 'task=write a short note'],
    turns: (length, run) => [{ text: words(length, run) }],
  },
  {
    name: 'tools',
    files: { 'agents/reader.yaml': agentYaml('reader', { tools: ['read'] }), 'src/notes.txt': words(300, 1) },
    target: 'agents/reader.yaml',
    args: ['--input', 'task=summarise src/notes.txt'],
    turns: (length, run) => [{ toolCalls: [{ name: 'read', input: { path: 'src/notes.txt' } }] }, { toolCalls: [{ name: 'read', input: { path: 'src/notes.txt' } }] }, { text: words(length, run) }],
  },
  {
    name: 'for_each',
    files: {
      'agents/item.yaml': agentYaml('item'),
      'templates/fan.yaml': `version: 1\nname: fan\ninputs:\n  parts: { type: array }\nsteps:\n  - id: each\n    agent: item\n    for_each: inputs.parts\n    with: { task: "{{item}}" }\noutputs: { all: "{{json steps.each.output}}" }\n`,
    },
    target: 'templates/fan.yaml',
    args: ['--input', 'parts=["one","two","three"]'],
    turns: (length, run) => [0, 1, 2].map((index) => ({ text: words(length + index * 5, run) })),
  },
  {
    name: 'search',
    files: { 'agents/finder.yaml': agentYaml('finder').replace('prompt:', 'search: { mode: always, max_results: 3 }\nprompt:') },
    target: 'agents/finder.yaml',
    args: ['--input', 'task=what is the latest Node.js release'],
    turns: (length, run) => [{ text: words(length, run) }],
  },
  {
    name: 'output-schema repair',
    files: {
      'agents/shaped.yaml': agentYaml('shaped', {
        output: 'output:\n  schema: { type: object, required: [answer], properties: { answer: { type: string } } }\n',
      }),
    },
    target: 'agents/shaped.yaml',
    args: ['--input', 'task=answer in JSON'],
    turns: (length, run) => [{ text: `not json ${words(20, run)}` }, { text: JSON.stringify({ answer: words(length, run) }) }],
  },
  {
    name: 'cached Anthropic layers',
    files: {
      'agents/layers/persona/long.yaml': layer(3),
      'agents/layers/policy/long.yaml': layer(4),
      'agents/cached.yaml': agentYaml('cached').replace('prompt:\n', 'prompt:\n  layers: [persona/long, policy/long]\n'),
    },
    target: 'agents/cached.yaml',
    args: ['--input', 'task=use the layers'],
    turns: (length, run) => [{ text: words(length, run) }],
  },
  {
    name: 'fallback after a 429',
    files: { 'agents/falls.yaml': agentYaml('falls') },
    target: 'agents/falls.yaml',
    args: ['--input', 'task=fall back'],
    before: () => sim.addFault({ kind: 'rate-limit', model: 'claude-test', retryAfterSeconds: 0, times: 1 }),
    turns: (length, run) => [{ text: words(length, run) }],
  },
  {
    name: 'budget stop',
    files: { 'agents/spender.yaml': agentYaml('spender', { tools: ['read'], limits: '{ max_cost: 0.004 }' }), 'src/big.txt': words(900, 2) },
    target: 'agents/spender.yaml',
    args: ['--input', 'task=read src/big.txt again and again'],
    turns: (length, run) => Array.from({ length: 6 }, () => ({ toolCalls: [{ name: 'read', input: { path: 'src/big.txt' } }], text: words(Math.round(length / 4), run) })),
    expectedCode: 3,
  },
];

interface Tiers {
  low: number;
  expected: number;
  worst: number;
}

async function estimate(root: string, target: Target): Promise<{ tiers: Tiers; sources: string[] }> {
  const result = await runCli(['estimate', target.target, ...target.args, '--json'], { cwd: root, env: simEnv(sim.url) });
  expect(result.code, result.stderr).toBe(0);
  const report = JSON.parse(result.stdout) as { totalUsd: Tiers; steps: Array<{ source: string }> };
  return { tiers: report.totalUsd, sources: report.steps.map((step) => step.source) };
}

async function run(root: string, target: Target, length: number, index: number): Promise<number> {
  sim.reset();
  sim.enqueue(...target.turns(length, index));
  target.before?.();
  const env = { ...simEnv(sim.url), AGENTPIPE_DDG_URL: `${ddg.url}/html/` };
  const result = await runCli(['run', target.target, ...target.args, '--json'], { cwd: root, env });
  expect(result.code, result.stderr).toBe(target.expectedCode ?? 0);
  const final = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { runId: string };
  const ledger = await runCli(['runs', final.runId, '--json'], { cwd: root, env });
  const cost = (JSON.parse(ledger.stdout) as { total: { costUsd: number } }).total.costUsd;
  expect(cost).toBeGreaterThan(0);
  return cost;
}

describe('estimate brackets the real cost', () => {
  for (const target of targets) {
    it(`${target.name}: low <= actual <= worst before and after history; expected within 15% after 3 runs`, async () => {
      const root = await makeProject({ 'providers.yaml': providers, ...target.files });
      try {
        const prior = await estimate(root, target);
        expect(prior.sources.every((source) => source === 'prior')).toBe(true);
        const actuals: number[] = [];
        for (const [index, length] of lengths.slice(0, 3).entries()) actuals.push(await run(root, target, length, index));
        const first = actuals[0]!;
        expect(prior.tiers.low).toBeLessThanOrEqual(first);
        expect(first).toBeLessThanOrEqual(prior.tiers.worst);

        const calibrated = await estimate(root, target);
        expect(calibrated.sources[0]).toMatch(/^history: 3 runs$/);
        const fourth = await run(root, target, lengths[3]!, 3);
        expect(calibrated.tiers.low).toBeLessThanOrEqual(fourth);
        expect(fourth).toBeLessThanOrEqual(calibrated.tiers.worst);
        for (const actual of actuals) expect(calibrated.tiers.low).toBeLessThanOrEqual(actual);
        expect(Math.abs(calibrated.tiers.expected - fourth) / fourth).toBeLessThanOrEqual(0.15);
        // History narrows the bracket, never widens its floor past what was seen.
        expect(calibrated.tiers.worst).toBeLessThanOrEqual(prior.tiers.worst * 1.0001);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    }, 240_000);
  }
});
