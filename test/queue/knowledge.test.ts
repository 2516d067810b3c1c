// Queue workers and knowledge: a worker opens the project's knowledge store itself (SharedMemory),
// so a queued row of an agent with knowledge retrieves as a local row does, and a stale index fails
// the row with the command that fixes it instead of answering from outdated text.
// A real redis-server, real BullMQ, the real CLI (batch --queue, worker, index), the wire simulator.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { readJsonLines, repoRoot, runCli, simEnv } from '../e2e/helpers.js';
import { makeKnowledgeProject } from '../knowledge/helpers.js';
import { hasRedis, startRedis, type RedisServer } from './redis.js';

describe.skipIf(!hasRedis())('queue workers with knowledge', { timeout: 120_000 }, () => {
  let redis: RedisServer;
  let sim: Simulator;
  beforeAll(async () => {
    redis = await startRedis();
    sim = await startSimulator({ embeddingDimensions: 256 });
  });
  afterAll(async () => {
    await sim?.close();
    await redis?.stop();
  });
  const chats = () => sim.requests.filter((request) => request.kind === undefined);

  it('retrieves sources for every queued row, and fails rows on a stale index with the fix', async () => {
    const root = await makeKnowledgeProject();
    const env = simEnv(sim.url);
    const queue = `${redis.url}?name=knowledge`;
    expect((await runCli(['index', 'agents/support.yaml'], { cwd: root, env })).code).toBe(0);
    await writeFile(join(root, 'rows.jsonl'), ['{"question":"How do refunds work?"}', '{"question":"What is error E4031?"}'].join('\n'));
    const worker = spawn(process.execPath, [join(repoRoot, 'bin', 'agentpipe.js'), 'worker', '--queue', queue, '--concurrency', '2'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    worker.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    try {
      sim.reset();
      const batch = await runCli(['batch', 'agents/support.yaml', '--inputs', 'rows.jsonl', '--queue', queue, '--out', 'out.jsonl', '--yes'], { cwd: root, env });
      expect(batch.code, `${batch.stderr}\n${log}`).toBe(0);
      expect((await readJsonLines(join(root, 'out.jsonl'))).map((line) => line['status'])).toEqual(['succeeded', 'succeeded']);
      expect(chats()).toHaveLength(2);
      // inject mode: each call carries numbered sources with file:line provenance, retrieved by the worker.
      for (const request of chats()) expect(JSON.stringify(request.body)).toMatch(/\[1\] docs\/[^:]+:\d+-\d+/);

      // A source changes after indexing: the worker refuses to answer from the old index.
      await appendFile(join(root, 'docs/billing/currency.md'), '\nRefunds now take 30 days.\n');
      await writeFile(join(root, 'rows2.jsonl'), '{"question":"How long do refunds take?"}\n');
      // The worker remembers a fresh check for 5 s; wait it out so this row checks again.
      await new Promise((resolve) => setTimeout(resolve, 5500));
      sim.reset();
      const stale = await runCli(['batch', 'agents/support.yaml', '--inputs', 'rows2.jsonl', '--queue', queue, '--out', 'out2.jsonl', '--yes'], { cwd: root, env });
      expect(stale.code).toBe(1);
      const [line] = await readJsonLines(join(root, 'out2.jsonl'));
      expect(line?.['status']).toBe('failed');
      expect(String(line?.['error'])).toContain('agentpipe index agents/support.yaml');
      expect(chats()).toHaveLength(0);
    } finally {
      worker.kill('SIGKILL');
      await once(worker, 'exit');
    }
  });
});
