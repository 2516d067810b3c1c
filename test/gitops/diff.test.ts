// `agentpipe diff` over a fixture git repository with one realistic change per commit (fixture.ts):
// each consecutive pair reports exactly the expected impact, prompt hunks, model, permission and
// cost changes, through the real CLI and the real git.

import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { agentpipe, buildFixtureRepo, git } from './fixture.js';

interface Report {
  base: string;
  head: string;
  effective: boolean;
  changedFiles: string[];
  affected: Array<{ kind: string; name: string; change: string; via: string[] }>;
  prompts: Array<{ agent: string; change: string; diff: string; hunks: Array<{ provenance: string[]; lines: string[] }> }>;
  models: Array<{ kind: string; name: string; change: string; before: unknown; after: unknown }>;
  permissions: Array<{ agent: string; tool: string; change: string; widening: boolean }>;
  cost: Array<{ target: string; kind: string; before: { low: number; expected: number; worst: number } | null; after: { low: number; expected: number; worst: number } | null; delta: { low: number; expected: number; worst: number } }>;
  summary: { agents: number; templates: number; widenings: number; costDelta: { expected: number } };
}

let root: string;
const scratch: string[] = [];

beforeAll(async () => {
  root = await buildFixtureRepo();
  scratch.push(root);
}, 60_000);

afterAll(async () => {
  for (const folder of scratch) await rm(folder, { recursive: true, force: true });
});

function diffJson(...revisions: string[]): Report {
  const result = agentpipe(['diff', ...revisions, '--format', 'json'], root);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as Report;
}

const affected = (report: Report): string[] => report.affected.map((entry) => `${entry.kind} ${entry.name} ${entry.change} via ${entry.via.join(',')}`);
const costOf = (report: Report, target: string) => report.cost.find((entry) => entry.target === target)!;

describe('agentpipe diff between each pair of the fixture history', () => {
  test('c0..c1: a layer edit reaches exactly the 3 agents that include it, and the template running one of them', () => {
    const report = diffJson('c0', 'c1');
    expect(report.base).toMatch(/^c0 \([0-9a-f]{7}\)$/);
    expect(report.changedFiles).toEqual(['agents/layers/persona/helper.yaml']);
    expect(affected(report)).toEqual([
      'agent alpha modified via agents/layers/persona/helper.yaml',
      'agent beta modified via agents/layers/persona/helper.yaml',
      'agent gamma modified via agents/layers/persona/helper.yaml',
      'template pipeline modified via agents/layers/persona/helper.yaml',
    ]);
    expect(report.prompts.map((prompt) => prompt.agent)).toEqual(['alpha', 'beta', 'gamma']);
    for (const prompt of report.prompts) {
      expect(prompt.hunks).toHaveLength(1);
      expect(prompt.hunks[0]!.provenance).toEqual(['layer persona/helper (agents/layers/persona/helper.yaml:3)']);
      expect(prompt.hunks[0]!.lines).toContain('-Answer briefly and cite what you read.');
      expect(prompt.hunks[0]!.lines).toContain('+Answer briefly and in plain English, and cite what you read.');
      expect(prompt.diff).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@ layer persona\/helper \(agents\/layers\/persona\/helper\.yaml:3\)$/m);
    }
    expect(report.models).toEqual([]);
    expect(report.permissions).toEqual([]);
    // A longer system prompt costs a little more, never less.
    for (const target of ['alpha', 'beta', 'gamma', 'pipeline']) expect(costOf(report, target).delta.expected).toBeGreaterThan(0);
    expect(report.summary).toMatchObject({ agents: 3, templates: 1, widenings: 0 });
  });

  test('c1..c2: a route change reaches the one agent on that route, with no prompt change', () => {
    const report = diffJson('c1', 'c2');
    expect(affected(report)).toEqual(['agent gamma modified via providers.yaml']);
    expect(report.prompts).toEqual([]);
    expect(report.models).toEqual([{ kind: 'route', name: 'cheap', change: 'models', before: ['openai/gpt-4.1-mini'], after: ['openai/gpt-4.1', 'openai/gpt-4.1-mini'] }]);
    // gpt-4.1 is 5x the price of gpt-4.1-mini: the expected cost is 5x too.
    const gamma = costOf(report, 'gamma');
    expect(gamma.after!.expected / gamma.before!.expected).toBeCloseTo(5, 1);
    expect(report.summary.costDelta.expected).toBeCloseTo(gamma.delta.expected, 10);
  });

  test('c2..c3: a price change names both prices with their as_of and reprices every agent on the model', () => {
    const report = diffJson('c2', 'c3');
    expect(affected(report)).toEqual(['agent alpha modified via providers.yaml', 'agent beta modified via providers.yaml', 'agent delta modified via providers.yaml', 'template pipeline modified via providers.yaml']);
    expect(report.models).toEqual([
      {
        kind: 'price',
        name: 'anthropic/claude-haiku-4-5',
        change: 'modified',
        before: { input: 1, output: 5, cache_read: 0.1, cache_write: 1.25, as_of: '2026-06-01' },
        after: { input: 1.5, output: 7.5, cache_read: 0.15, cache_write: 1.9, as_of: '2026-11-01' },
      },
    ]);
    expect(report.prompts).toEqual([]);
    // Every price is 1.5x (cache write 1.52x), so the expected cost of alpha rises by about half.
    const alpha = costOf(report, 'alpha');
    expect(alpha.after!.expected / alpha.before!.expected).toBeGreaterThan(1.45);
    expect(alpha.after!.expected / alpha.before!.expected).toBeLessThan(1.55);
    // The headline counts the template, plus beta, which no template runs.
    expect(report.summary.costDelta.expected).toBeCloseTo(costOf(report, 'pipeline').delta.expected + costOf(report, 'beta').delta.expected, 10);
  });

  test('c3..c4: a new bash.allow pattern is a widening for each agent that runs commands, and only for them', () => {
    const report = diffJson('c3', 'c4');
    expect(affected(report)).toEqual(['agent beta modified via tools.yaml', 'agent delta modified via tools.yaml', 'template pipeline modified via tools.yaml']);
    expect(report.permissions).toEqual([
      { agent: 'beta', tool: 'bash', change: 'bash.allow added "make *"', widening: true },
      { agent: 'delta', tool: 'bash', change: 'bash.allow added "make *"', widening: true },
    ]);
    expect(report.summary.widenings).toBe(2);
    for (const entry of report.cost) expect(entry.delta).toEqual({ low: 0, expected: 0, worst: 0 });
  });

  test('c4..c5: a new step changes the template only, with its model chain and its cost', () => {
    const report = diffJson('c4', 'c5');
    expect(affected(report)).toEqual(['template pipeline modified via templates/pipeline.yaml']);
    expect(report.models).toEqual([{ kind: 'step', name: 'pipeline.summary', change: 'added', before: null, after: ['openai/gpt-4.1', 'openai/gpt-4.1-mini'] }]);
    const pipeline = costOf(report, 'pipeline');
    expect(pipeline.delta.low).toBeGreaterThan(0);
    expect(pipeline.delta.worst).toBeGreaterThan(0);
    expect(report.permissions).toEqual([]);
  });

  test('c5..c6: a removed agent, its prompt removed and its cost gone', () => {
    const report = diffJson('c5', 'c6');
    expect(affected(report)).toEqual(['agent epsilon removed via agents/epsilon.yaml']);
    expect(report.prompts).toHaveLength(1);
    expect(report.prompts[0]).toMatchObject({ agent: 'epsilon', change: 'removed' });
    expect(report.prompts[0]!.hunks[0]!.lines).toContain('-Greet people warmly.');
    const epsilon = costOf(report, 'epsilon');
    expect(epsilon.after).toBeNull();
    expect(epsilon.delta.expected).toBeCloseTo(-epsilon.before!.expected, 10);
  });

  test('c6..c7: a renamed tool with the same definition is a rename, not a widening', () => {
    const report = diffJson('c6', 'c7');
    expect(affected(report)).toEqual(['agent delta modified via agents/delta.yaml,tools.yaml', 'template pipeline modified via agents/delta.yaml,tools.yaml']);
    expect(report.permissions).toEqual([{ agent: 'delta', tool: 'test_runner', change: 'renamed from run_tests', widening: false }]);
    expect(report.prompts).toEqual([]);
  });

  test('c7..c8: comments only: "no effective change"', () => {
    const report = diffJson('c7', 'c8');
    expect(report.changedFiles).toEqual(['agents/alpha.yaml', 'agents/layers/persona/helper.yaml', 'providers.yaml']);
    expect(report.effective).toBe(false);
    expect(report.affected).toEqual([]);
    expect(report.prompts).toEqual([]);
    expect(report.models).toEqual([]);
    expect(report.permissions).toEqual([]);
    expect(report.cost).toEqual([]);
    const text = agentpipe(['diff', 'c7', 'c8'], root);
    expect(text.stdout).toMatch(/^no effective change \(3 files changed\)$/m);
    expect(text.status).toBe(0);
  });

  test('c0..c8 at once adds the changes up: the removed agent, the rename, the widening and the new step', () => {
    const report = diffJson('c0', 'c8');
    expect(report.affected.map((entry) => `${entry.name} ${entry.change}`)).toEqual(['alpha modified', 'beta modified', 'delta modified', 'epsilon removed', 'gamma modified', 'pipeline modified']);
    expect(report.permissions.filter((entry) => entry.widening).map((entry) => entry.agent)).toEqual(['beta', 'delta']);
    expect(report.permissions).toContainEqual({ agent: 'delta', tool: 'test_runner', change: 'renamed from run_tests', widening: false });
    expect(report.models.map((entry) => `${entry.kind} ${entry.name}`)).toEqual(['route cheap', 'price anthropic/claude-haiku-4-5', 'step pipeline.summary']);
  });
});

describe('agentpipe diff: formats and exit codes', () => {
  test('markdown of the 3-agent layer change: headline first, at most 40 lines before the collapsed details', () => {
    const result = agentpipe(['diff', 'c0', 'c1', '--format', 'markdown'], root);
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('<!-- agentpipe-diff -->');
    expect(lines[1]).toMatch(/^### agentpipe diff: 3 agents and 1 template affected · cost \+\$[0-9.e-]+ expected · 0 permission widenings$/);
    const firstDetails = lines.findIndex((line) => line.startsWith('<details>'));
    expect(firstDetails).toBeGreaterThan(0);
    expect(firstDetails).toBeLessThanOrEqual(40);
    expect(result.stdout).toContain('<details><summary>Prompts: 3 agents</summary>');
    expect(result.stdout).toContain('```diff');
  });

  test('--fail-on widen exits 4 on a widening (report still printed), 0 without one', () => {
    const widening = agentpipe(['diff', 'c3', 'c4', '--fail-on', 'widen', '--format', 'markdown'], root);
    expect(widening.status).toBe(4);
    expect(widening.stdout).toContain('⚠️ `beta` bash: bash.allow added "make *"');
    expect(widening.stderr).toBe('agentpipe: 2 permission widenings (--fail-on widen)\n');
    expect(agentpipe(['diff', 'c2', 'c3', '--fail-on', 'widen'], root).status).toBe(0);
  });

  test('github: a notice with the headline and a warning annotation per widening', () => {
    const result = agentpipe(['diff', 'c3', 'c4', '--format', 'github'], root);
    expect(result.stdout.split('\n')).toEqual([
      expect.stringMatching(/^::notice title=agentpipe diff::2 agents and 1 template affected · cost ±\$0\.00 expected · 2 permission widenings \(c3/),
      '::warning file=agents/beta.yaml,title=permission widening::beta: bash: bash.allow added "make *"',
      '::warning file=agents/delta.yaml,title=permission widening::delta: bash: bash.allow added "make *"',
      '',
    ]);
  });

  test('usage errors exit 2 with one line: a bad --format, a bad --fail-on, an unknown revision', () => {
    for (const args of [['--format', 'xml'], ['--fail-on', 'cost'], ['no-such-branch', 'c1']]) {
      const result = agentpipe(['diff', ...args], root);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr).not.toMatch(/^ {4}at /m);
    }
    expect(agentpipe(['diff', 'no-such-branch', 'c1'], root).stderr).toContain('BASE "no-such-branch" is not a commit in this repository');
  });

  test('two folders compare like two revisions', async () => {
    const old = await mkdtemp(path.join(tmpdir(), 'agentpipe-diff-old-'));
    scratch.push(old);
    git(root, 'worktree', 'add', '-q', '--detach', old, 'c2');
    const now = await mkdtemp(path.join(tmpdir(), 'agentpipe-diff-new-'));
    scratch.push(now);
    await cp(old, now, { recursive: true, filter: (source) => !source.endsWith('.git') });
    await writeFile(path.join(now, 'providers.yaml'), (await readFile(path.join(old, 'providers.yaml'), 'utf8')).replace('cheap: [openai/gpt-4.1, openai/gpt-4.1-mini]', 'cheap: [openai/gpt-4.1-mini, openai/gpt-4.1]'));
    const result = agentpipe(['diff', old, now, '--json'], tmpdir());
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.models).toEqual([{ kind: 'route', name: 'cheap', change: 'fallback order', before: ['openai/gpt-4.1', 'openai/gpt-4.1-mini'], after: ['openai/gpt-4.1-mini', 'openai/gpt-4.1'] }]);
    // At c2 no template runs gamma yet.
    expect(affected(report)).toEqual(['agent gamma modified via providers.yaml']);
    git(root, 'worktree', 'remove', '--force', old);
  });

  test('no arguments: the merge base with the default branch against the working tree, uncommitted edits included', async () => {
    const clone = await mkdtemp(path.join(tmpdir(), 'agentpipe-diff-clone-'));
    scratch.push(clone);
    git(tmpdir(), 'clone', '-q', root, clone);
    git(clone, 'checkout', '-q', '-b', 'feature');
    await writeFile(path.join(clone, 'agents/layers/policy/tone.yaml'), 'version: 1\ntext: |\n  Be direct and kind. Never guess.\n');
    git(clone, 'commit', '-q', '-am', 'tone');
    await writeFile(path.join(clone, 'agents/gamma.yaml'), (await readFile(path.join(clone, 'agents/gamma.yaml'), 'utf8')).replace('model: cheap', 'model: default'));
    const result = agentpipe(['diff', '--json'], clone);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as Report;
    expect(report.base).toMatch(/^merge-base\(HEAD, origin\/main\) \([0-9a-f]{7}\)$/);
    expect(report.head).toBe('working tree');
    expect(report.changedFiles).toEqual(['agents/gamma.yaml', 'agents/layers/policy/tone.yaml']);
    expect(report.models).toContainEqual({ kind: 'agent', name: 'gamma', change: 'models', before: ['openai/gpt-4.1', 'openai/gpt-4.1-mini'], after: ['anthropic/claude-haiku-4-5', 'openai/gpt-4.1-mini'] });
    expect(affected(report)).toContain('agent delta modified via agents/layers/policy/tone.yaml');
  });

  test('a shallow clone without BASE: a clear message naming the fetch to run, exit 2', async () => {
    const shallow = await mkdtemp(path.join(tmpdir(), 'agentpipe-diff-shallow-'));
    scratch.push(shallow);
    git(tmpdir(), 'clone', '-q', '--depth', '1', '--no-tags', `file://${root}`, shallow);
    const result = agentpipe(['diff', 'c3', 'HEAD'], shallow);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/BASE "c3" is not a commit in this repository; this is a shallow clone: fetch it \(`git fetch --depth=100 origin c3`\)/);
    // HEAD itself is there: comparing it with the working tree works.
    expect(agentpipe(['diff', 'HEAD'], shallow).stdout).toMatch(/^no change$/m);
  });
});
