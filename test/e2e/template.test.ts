import { cp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimRequest, type SimTurn, type Simulator } from '../../src/sim/index.js';
import { makeProject, onlyRunId, readJsonLines, repoRoot, runCli, simEnv } from './helpers.js';

// Each example agent is told apart by a phrase of its own system prompt.
function answer(request: SimRequest): SimTurn {
  const body = JSON.stringify(request.body);
  if (body.includes('Plan a document')) {
    return { text: JSON.stringify({ title: 'Wasm report', sections: [1, 2, 3].map((n) => ({ title: `Part ${n}`, brief: `Cover point ${n}` })) }), latencyMs: 50 };
  }
  if (body.includes('Write only the section')) {
    const part = /Part (\d)/.exec(body)?.[1] ?? '?';
    return { text: `## Part ${part}\nWritten section ${part}.`, latencyMs: 900 };
  }
  if (body.includes('Review the draft')) return { text: 'REVIEWED: the final report.', latencyMs: 50 };
  if (body.includes('Answer as')) return { text: '{"answer": "Facts about wasm.", "sources": []}', latencyMs: 900 };
  return { text: 'unexpected request' };
}

let sim: Simulator;
let root: string;
beforeAll(async () => {
  sim = await startSimulator({ script: answer });
  root = await makeProject({});
  // The repository's own example config, as a user would have it.
  for (const path of ['providers.yaml', 'tools.yaml', 'agents', 'templates']) await cp(join(repoRoot, path), join(root, path), { recursive: true });
});
afterAll(async () => {
  await sim.close();
  await rm(root, { recursive: true, force: true });
});

const overlap = (a: SimRequest, b: SimRequest) => a.startMs < (b.endMs ?? Infinity) && b.startMs < (a.endMs ?? Infinity);

describe('the research-report example template', () => {
  it('runs parallel steps and for_each items at the same time and feeds outputs forward', async () => {
    const result = await runCli(['run', 'templates/research-report.yaml', '--input', 'topic=WebAssembly'], {
      cwd: root,
      env: { ...simEnv(sim.url), AGENTPIPE_DDG_URL: sim.url },
    });
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('REVIEWED: the final report.');

    const requests = sim.requests.filter((request) => request.body && request.model);
    const research = requests.filter((request) => JSON.stringify(request.body).includes('Answer as'));
    expect(research).toHaveLength(2);
    // research (default route) and background (cheap route) overlap in time.
    expect(overlap(research[0]!, research[1]!)).toBe(true);

    const writers = requests.filter((request) => JSON.stringify(request.body).includes('Write only the section'));
    expect(writers).toHaveLength(3);
    expect(overlap(writers[0]!, writers[1]!) && overlap(writers[1]!, writers[2]!)).toBe(true);
    // The outline's sections reached the writers as items, and the writers' output reached the reviewer.
    expect(writers.map((request) => /Part (\d)/.exec(JSON.stringify(request.body))?.[1]).sort()).toEqual(['1', '2', '3']);
    const review = requests.find((request) => JSON.stringify(request.body).includes('Review the draft'));
    expect(JSON.stringify(review?.body)).toContain('Written section 3.');

    const runId = await onlyRunId(root);
    const events = await readJsonLines(join(root, '.agentpipe/runs', runId, 'events.jsonl'));
    const ends = events.filter((event) => event['type'] === 'step-end').map((event) => [event['stepId'], event['status']]);
    expect(ends).toEqual(expect.arrayContaining([['research', 'succeeded'], ['background', 'succeeded'], ['outline', 'succeeded'], ['sections', 'succeeded'], ['review', 'succeeded']]));
    const state = JSON.parse(await readFile(join(root, '.agentpipe/runs', runId, 'run.json'), 'utf8'));
    expect(state.steps.sections.itemCount).toBe(3);
    expect(state.ledger.entries.map((entry: { stepId: string }) => entry.stepId).sort()).toEqual(['background', 'outline', 'research', 'review', 'sections[0]', 'sections[1]', 'sections[2]']);
  });
});
