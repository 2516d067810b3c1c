// A batch over an agent with knowledge: a stale index stops the batch before any row runs (exit 2,
// the command that fixes it); once indexed, every row's prompt carries its retrieved sources.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { readJsonLines, runCli, simEnv } from '../e2e/helpers.js';
import { makeKnowledgeProject } from '../knowledge/helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ embeddingDimensions: 256 });
});
afterAll(async () => sim.close());

const chats = () => sim.requests.filter((request) => request.kind === undefined);

describe('batch with knowledge', () => {
  it('refuses a stale index up front, then retrieves for every row', async () => {
    const root = await makeKnowledgeProject();
    const env = simEnv(sim.url);
    await writeFile(join(root, 'rows.jsonl'), ['{"question":"How do refunds work?"}', '{"question":"What is error E4031?"}'].join('\n'));
    sim.reset();
    const stale = await runCli(['batch', 'agents/support.yaml', '--inputs', 'rows.jsonl', '--yes'], { cwd: root, env });
    expect(stale.code).toBe(2);
    expect(stale.stderr).toContain('agentpipe index agents/support.yaml');
    expect(chats()).toHaveLength(0);

    expect((await runCli(['index', 'agents/support.yaml'], { cwd: root, env })).code).toBe(0);
    sim.reset();
    const batch = await runCli(['batch', 'agents/support.yaml', '--inputs', 'rows.jsonl', '--yes', '--out', 'out.jsonl'], { cwd: root, env });
    expect(batch.code, batch.stderr).toBe(0);
    expect((await readJsonLines(join(root, 'out.jsonl'))).map((line) => line['status'])).toEqual(['succeeded', 'succeeded']);
    expect(chats()).toHaveLength(2);
    // inject mode: each call carries numbered sources with file:line provenance.
    for (const request of chats()) expect(JSON.stringify(request.body)).toMatch(/\[1\] docs\/[^:]+:\d+-\d+/);
  });
});
