// Issue 6 acceptance: the example researcher agent with `search: always`, run through the CLI
// against DuckDuckGo-shaped HTML served on 127.0.0.1 and the wire simulator. The model's request
// must carry the numbered sources, and the run's events must show the search.
import { cp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { ddgFixture, html, startServer, type LocalServer } from '../search/helpers.js';
import { makeProject, onlyRunId, readJsonLines, repoRoot, runCli, simEnv } from './helpers.js';

let sim: Simulator;
let ddg: LocalServer;
let failing: LocalServer;
beforeAll(async () => {
  sim = await startSimulator();
  ddg = await startServer(() => html(ddgFixture('results.html')));
  failing = await startServer(() => ({ status: 500, body: 'boom' }));
});
afterAll(async () => {
  await Promise.all([sim.close(), ddg.close(), failing.close()]);
});

/** The repo's researcher agent and its layers, with search switched to `always` and the test route. */
async function researcherProject(): Promise<string> {
  const agent = (await readFile(join(repoRoot, 'agents/researcher.yaml'), 'utf8'))
    .replace('model: default', 'model: main')
    .replace('search: { mode: auto, max_results: 5 }', 'search: { mode: always, max_results: 3 }');
  expect(agent).toContain('mode: always');
  const root = await makeProject({ 'agents/researcher.yaml': agent, 'tools.yaml': await readFile(join(repoRoot, 'tools.yaml'), 'utf8') });
  await cp(join(repoRoot, 'agents/layers'), join(root, 'agents/layers'), { recursive: true });
  return root;
}

describe('search: always through the CLI', () => {
  it('injects numbered sources into the model request and records the search in events', async () => {
    const root = await researcherProject();
    try {
      const first = sim.requests.length;
      const ddgFirst = ddg.requests.length;
      sim.enqueue({ text: '{"answer": "Node 24 is LTS [1].", "sources": ["https://nodejs.org/"]}', usage: { input: 300, output: 20 } });
      const env = { ...simEnv(sim.url), AGENTPIPE_DDG_URL: `${ddg.url}/html/` };
      const result = await runCli(['run', 'agents/researcher.yaml', '--input', 'question=What is the latest Node.js LTS?'], { cwd: root, env });
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(result.code).toBe(0);

      expect(ddg.requests.length - ddgFirst).toBe(1);
      expect(ddg.requests[ddgFirst]!.body).toContain('q=What+is+the+latest+Node.js+LTS');
      const request = JSON.stringify(sim.requests[first]!.body);
      expect(request).toMatch(/\[1\] /);
      expect(request).toMatch(/\[2\] /);
      expect(request).toContain('cite');

      const events = await readJsonLines(join(root, '.agentpipe/runs', await onlyRunId(root), 'events.jsonl'));
      const searchEnd = events.find((event) => event['type'] === 'search-end');
      expect(searchEnd).toMatchObject({ provider: 'duckduckgo', query: 'What is the latest Node.js LTS?', cached: false });
      expect(Number(searchEnd!['results'])).toBeGreaterThan(0);
      expect(events.some((event) => event['type'] === 'search-start')).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('goes on without sources and warns when the search fails', async () => {
    const root = await researcherProject();
    try {
      const first = sim.requests.length;
      sim.enqueue({ text: '{"answer": "I could not check current sources."}', usage: { input: 200, output: 10 } });
      const env = { ...simEnv(sim.url), AGENTPIPE_DDG_URL: `${failing.url}/html/` };
      const result = await runCli(['run', 'agents/researcher.yaml', '--input', 'question=What is new today?'], { cwd: root, env });
      expect(result.code).toBe(0);
      expect(JSON.stringify(sim.requests[first]!.body)).not.toMatch(/\[1\] /);
      const events = await readJsonLines(join(root, '.agentpipe/runs', await onlyRunId(root), 'events.jsonl'));
      expect(events.some((event) => event['type'] === 'search-failed')).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 60_000);
});
