// run --record / --replay with knowledge: the question's embedding is recorded with the model calls
// and replayed with no key and no network (the simulator is closed before the replay), and a changed
// question is a cassette miss that names the embeddings call.

import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { decodeVector } from '../../src/run/cassette-file.js';
import { runCli, simEnv } from '../e2e/helpers.js';
import { makeKnowledgeProject } from './helpers.js';

let root: string;
let simUrl: string;
let record: Awaited<ReturnType<typeof runCli>>;
let recordedSources: string[];

const question = 'question=Can I get a refund on a yearly plan?';
const sourcesOf = async (): Promise<string[]> => {
  const runs = join(root, '.agentpipe', 'runs');
  const { readdir } = await import('node:fs/promises');
  const latest = (await readdir(runs)).sort().at(-1)!;
  const events = (await readFile(join(runs, latest, 'events.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { type: string; sources?: string[] });
  return events.find((event) => event.type === 'knowledge-retrieved')?.sources ?? [];
};

beforeAll(async () => {
  root = await makeKnowledgeProject();
  const sim: Simulator = await startSimulator({ embeddingDimensions: 256 });
  simUrl = sim.url;
  try {
    const env = simEnv(sim.url);
    expect((await runCli(['index', 'agents/support.yaml'], { cwd: root, env })).code).toBe(0);
    sim.enqueue({ text: 'Yes, within 30 days [1].', usage: { input: 300, output: 10 } });
    record = await runCli(['run', 'agents/support.yaml', '--input', question, '--record', 'cassettes/support.json'], { cwd: root, env });
    recordedSources = await sourcesOf();
  } finally {
    await sim.close();
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('run --record / --replay with knowledge', () => {
  it('records the embeddings call of the retrieval beside the model call', async () => {
    expect(record.stderr).not.toMatch(/internal error/);
    expect(record.code).toBe(0);
    const cassette = JSON.parse(await readFile(join(root, 'cassettes/support.json'), 'utf8')) as { calls: Array<{ kind: string; model: string; request: { values?: string[] }; result?: { embeddings?: string[] } }> };
    expect(cassette.calls.map((call) => [call.kind, call.model])).toEqual([
      ['embed', 'openai/text-embedding-3-small'],
      ['stream', 'anthropic/claude-test'],
    ]);
    const embed = cassette.calls[0]!;
    expect(embed.request.values).toEqual(['Can I get a refund on a yearly plan?']);
    const vector = decodeVector(embed.result!.embeddings![0]!);
    expect(vector).toHaveLength(256);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 3);
    expect(recordedSources.length).toBeGreaterThan(0);
  });

  it('replays with no key and no network: same answer, same sources', async () => {
    const replay = await runCli(['run', 'agents/support.yaml', '--input', question, '--replay', 'cassettes/support.json'], { cwd: root, env: simEnv(simUrl, {}) });
    expect(replay.stderr).not.toMatch(/internal error/);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('Yes, within 30 days [1].');
    expect(await sourcesOf()).toEqual(recordedSources);
  });

  it('names the embeddings call when the question changed', async () => {
    const replay = await runCli(['run', 'agents/support.yaml', '--input', 'question=Something else entirely', '--replay', 'cassettes/support.json'], { cwd: root, env: simEnv(simUrl, {}) });
    expect(replay.code).toBe(1);
    expect(replay.stderr).toMatch(/no recorded answer in cassettes\/support\.json for a call to openai\/text-embedding-3-small/);
    expect(replay.stderr).toMatch(/embeddings call/);
    expect(replay.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
