// `run --sim`: a keyless try-out of any example agent or template through the real CLI, against the
// built-in simulator in-process. Answers fit output schemas at once (no repair call), tools get a
// plausible call, and every line, event and the ledger say the run was simulated, at $0.

import { cp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeProject, readJsonLines, repoRoot, runCli } from './helpers.js';

let root: string;
beforeAll(async () => {
  root = await makeProject({});
  for (const path of ['providers.yaml', 'tools.yaml', 'agents', 'templates']) await cp(join(repoRoot, path), join(root, path), { recursive: true });
});
afterAll(() => rm(root, { recursive: true, force: true }));

// No key of any provider and no Ollama: what a new user has.
const freshEnv = () => ({ PATH: process.env['PATH'], HOME: process.env['HOME'], OLLAMA_HOST: 'http://127.0.0.1:9' });

async function latestRun(): Promise<string> {
  const ids = (await readdir(join(root, '.agentpipe', 'runs'))).sort();
  return join(root, '.agentpipe', 'runs', ids.at(-1)!);
}

describe('run --sim', () => {
  test('the flagship agent runs with no key: schema-valid answer, one tool call, no repair call, every line marked', async () => {
    const result = await runCli(['run', 'agents/researcher.yaml', '--sim', '--input', 'question=What is new?'], { cwd: root, env: freshEnv() });
    expect(result.code, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout) as { answer: unknown; sources?: unknown };
    expect(typeof answer.answer).toBe('string');
    const lines = result.stderr.trim().split('\n');
    const progress = lines.filter((line) => !line.startsWith('  ') && !line.startsWith('simulated run'));
    expect(progress.length).toBeGreaterThan(3);
    for (const line of progress) expect(line).toMatch(/^\[simulated\] /);
    expect(result.stderr).toMatch(/simulated run done: \$0\.00 \(no model was called\)/);
    const dir = await latestRun();
    const events = await readJsonLines(join(dir, 'events.jsonl'));
    // One call asks for a tool, the next answers valid JSON: no third (repair) call.
    expect(events.filter((event) => event.type === 'model-call')).toHaveLength(2);
    expect(events.filter((event) => event.type === 'tool-call').length).toBe(1);
    expect(events.find((event) => event.type === 'run-start')).toMatchObject({ simulated: true });
    const state = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8'));
    expect(state.simulated).toBe(true);
    expect(state.costUsd).toBe(0);
    expect(state.ledger.entries.length).toBe(2);
    for (const entry of state.ledger.entries) expect(entry).toMatchObject({ simulated: true, costUsd: 0 });
  });

  test('an agent with an output schema and no tools makes exactly one model call', async () => {
    const result = await runCli(['run', 'agents/planner.yaml', '--sim', '--json', '--input', 'goal=Ship it', '--input', 'notes=none'], { cwd: root, env: freshEnv() });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.type === 'model-call')).toHaveLength(1);
    for (const line of lines) expect(line.simulated).toBe(true);
    expect(lines.at(-1)).toMatchObject({ type: 'run-result', status: 'succeeded', costUsd: 0 });
  });

  test.each([
    ['research-report', ['--input', 'topic=wasm']],
    ['code-review', ['--input', 'diff=+x', '--input', 'files=["a.ts"]']],
    ['rest-api-plan', ['--input', 'product=shop']],
  ])('template %s runs end to end', async (name, inputs) => {
    const result = await runCli(['run', `templates/${name}.yaml`, '--sim', '--json', ...inputs], { cwd: root, env: freshEnv() });
    const last = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(last, result.stderr).toMatchObject({ type: 'run-result', status: 'succeeded', costUsd: 0, simulated: true });
  });

  test('--sim with --replay is a usage error', async () => {
    const result = await runCli(['run', 'agents/planner.yaml', '--sim', '--replay', 'x.json'], { cwd: root, env: freshEnv() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--sim cannot be used with --replay/);
  });
});
