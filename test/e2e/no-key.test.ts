import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { makeProject, repoRoot, runCli, simEnv } from './helpers.js';

let sim: Simulator;
let root: string;
beforeAll(async () => {
  sim = await startSimulator();
  root = await makeProject({});
  for (const path of ['providers.yaml', 'tools.yaml', 'agents', 'templates']) await cp(join(repoRoot, path), join(root, path), { recursive: true });
});
afterAll(async () => {
  await sim.close();
  await rm(root, { recursive: true, force: true });
});

// A fresh machine: no key of any provider, and no Ollama (port 9 on loopback refuses connections).
const freshEnv = () => ({ PATH: process.env['PATH'], HOME: process.env['HOME'], OLLAMA_HOST: 'http://127.0.0.1:9' });

describe('no usable model', () => {
  it('prints one paragraph saying what it looked for and how to fix it, then the plan, and exits 1', async () => {
    const result = await runCli(['run', 'agents/researcher.yaml', '--input', 'question=What is new in Node 24?'], { cwd: root, env: freshEnv() });
    expect(result.code).toBe(1);
    const paragraph = result.stderr.trim();
    expect(paragraph.split('\n')).toHaveLength(1);
    for (const needle of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY', 'http://127.0.0.1:9/api/tags', '.env', 'ollama serve', 'export']) expect(paragraph).toContain(needle);
    expect(result.stdout).toMatch(/^plan: agent researcher/);
    expect(result.stdout).toMatch(/models anthropic\/\S+ -> openai\//);
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('works the same for a template, naming each route that cannot be served', async () => {
    const result = await runCli(['run', 'templates/research-report.yaml', '--input', 'topic=wasm'], { cwd: root, env: freshEnv() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/default \(.*\) for steps research, outline, sections/);
    expect(result.stdout).toContain('in parallel: research, background');
  });

  it('--dry-run prints the plan and calls nothing, even with keys set', async () => {
    const before = sim.requests.length;
    const result = await runCli(['run', 'templates/research-report.yaml', '--dry-run'], { cwd: root, env: { ...simEnv(sim.url), AGENTPIPE_DDG_URL: sim.url } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^plan: template research-report/);
    expect(result.stdout).toContain('for each of steps.outline.output.sections');
    expect(sim.requests.length).toBe(before);
  });

  it('a missing required input is a usage error (exit 2), not a crash', async () => {
    const result = await runCli(['run', 'agents/researcher.yaml'], { cwd: root, env: freshEnv() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/missing required input question/);
  });
});
