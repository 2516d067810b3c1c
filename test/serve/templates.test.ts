// The shipped templates: at least 8, each with catalogue metadata and sample inputs, and each
// sample run end to end through serve against the wire simulator (every example agent answered
// in the shape its output schema asks for).
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimRequest, type SimTurn, type Simulator } from '../../src/sim/index.js';
import { startServe, type RunningServer } from '../../src/serve/index.js';
import { fakeKeys, makeProject, repoRoot, runCli, simEnv } from '../e2e/helpers.js';
import { api, waitForStatus } from './helpers.js';

/** Tells the example agents apart by a phrase of their system prompts. */
export function exampleAgents(request: SimRequest): SimTurn {
  const body = JSON.stringify(request.body);
  const turn = (text: string): SimTurn => ({ text, latencyMs: 20, usage: { input: 200, output: 50 } });
  if (body.includes('Plan a document')) return turn(JSON.stringify({ title: 'Planned', sections: [1, 2].map((n) => ({ title: `Part ${n}`, brief: `Cover point ${n}` })) }));
  if (body.includes('Answer as')) return turn('{"answer": "Researched facts.", "sources": []}');
  if (body.includes('Focus only on')) return turn('{"summary": "One finding.", "findings": [{"file": "src/app.ts", "severity": "high", "issue": "eval of input"}]}');
  if (body.includes('Write only the section')) return turn('## A section\nWritten text.');
  if (body.includes('Review the draft')) return turn('REVIEWED draft.');
  if (body.includes('Summarise in at most')) return turn('- a point\n- another point');
  if (body.includes('Design the REST endpoints')) return turn('GET /things');
  return turn('unexpected request');
}

let sim: Simulator;
let root: string;
let server: RunningServer;
beforeAll(async () => {
  sim = await startSimulator({ script: exampleAgents });
  root = await makeProject({});
  for (const path of ['providers.yaml', 'tools.yaml', 'agents', 'templates']) await cp(join(repoRoot, path), join(root, path), { recursive: true });
  server = await startServe({ root, env: { ...simEnv(sim.url), AGENTPIPE_DDG_URL: sim.url }, host: '127.0.0.1', port: 0, concurrency: 4, rateLimit: 100_000, bodyLimit: 1 << 20 });
});
afterAll(async () => {
  await server.close();
  await sim.close();
  await rm(root, { recursive: true, force: true });
});

describe('the shipped templates', () => {
  it('are at least 8 distinct jobs, each with tags, difficulty, category and sample inputs', async () => {
    const { body } = await api(server.url, '/v1/templates');
    expect(body.templates.length).toBeGreaterThanOrEqual(8);
    for (const template of body.templates) {
      expect(template.tags.length, template.name).toBeGreaterThan(0);
      expect(['beginner', 'intermediate', 'advanced'], template.name).toContain(template.difficulty);
      expect(template.category, template.name).toBeTruthy();
      expect(Object.keys(template.examples).length, template.name).toBeGreaterThan(0);
    }
    expect(new Set(body.templates.map((template: { description: string }) => template.description)).size).toBe(body.templates.length);
    const difficulties = new Set(body.templates.map((template: { difficulty: string }) => template.difficulty));
    expect(difficulties).toEqual(new Set(['beginner', 'intermediate', 'advanced']));
  });

  it('each runs from every one of its samples against the simulator and produces its outputs', async () => {
    const { body } = await api(server.url, '/v1/templates');
    const submitted: Array<{ name: string; sample: string; id: string }> = [];
    for (const template of body.templates) {
      for (const sample of Object.keys(template.examples)) {
        const created = await api(server.url, '/v1/runs', { body: { target: template.name, inputs: template.examples[sample] } });
        expect(created.status, `${template.name}/${sample}: ${JSON.stringify(created.body)}`).toBe(202);
        submitted.push({ name: template.name, sample, id: created.body.id });
      }
    }
    for (const run of submitted) {
      const done = await waitForStatus(server.url, run.id, ['succeeded', 'failed', 'cancelled', 'interrupted']);
      expect(done.status, `${run.name}/${run.sample}: ${done.error}`).toBe('succeeded');
      const outputs = Object.values(done.outputs ?? {});
      expect(outputs.length, run.name).toBeGreaterThan(0);
      for (const output of outputs) expect(String(output), run.name).not.toBe('');
      expect(done.costUsd, run.name).toBeGreaterThan(0);
      // Secrets never come back in a response.
      for (const key of Object.values(fakeKeys)) expect(JSON.stringify(done)).not.toContain(key);
    }
    expect(sim.requests.some((request) => JSON.stringify(request.body).includes('unexpected request'))).toBe(false);
  }, 120_000);

  it('each has an estimate from its first sample', async () => {
    const { body } = await api(server.url, '/v1/templates/competitor-scan');
    expect(body.estimate.totalUsd.expected).toBeGreaterThan(0);
    // The sample has three competitors: the for_each fans out to 3 items.
    expect(body.estimate.steps.find((step: { id: string }) => step.id === 'profiles').items).toBe(3);
  });

  it('lint checks sample inputs against the declared inputs', async () => {
    const broken = await makeProject({
      'agents/a.yaml': `version: 1\nname: a\nmodel: main\ninputs: { n: { type: integer }, s: { type: string } }\nexamples:\n  bad: { n: "x", extra: 1 }\nprompt: { user: "{{inputs.n}} {{inputs.s}}" }\n`,
    });
    try {
      const result = await runCli(['lint', '--format', 'json'], { cwd: broken, env: simEnv('http://127.0.0.1:9') });
      expect(result.code).toBe(2);
      const codes = JSON.parse(result.stdout).diagnostics.map((d: { code: string; line: number }) => `${d.code}@${d.line}`);
      expect(codes).toEqual(expect.arrayContaining(['examples/type@6', 'examples/unknown-input@6', 'examples/missing-input@6']));
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });

  it('list shows the metadata, and list --json carries it', async () => {
    const result = await runCli(['list', '--json'], { cwd: root, env: simEnv(sim.url) });
    const listing = JSON.parse(result.stdout);
    const digest = listing.templates.find((template: { name: string }) => template.name === 'meeting-digest');
    expect(digest).toMatchObject({ difficulty: 'beginner', category: 'productivity', tags: ['meetings', 'summary', 'email'], examples: ['standup', 'board'] });
    const text = await runCli(['list'], { cwd: root, env: simEnv(sim.url) });
    expect(text.stdout).toMatch(/meeting-digest\s+3 steps\s+\[productivity\] beginner #meetings #summary #email/);
  });
});
