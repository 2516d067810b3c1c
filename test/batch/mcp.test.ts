// MCP servers in a batch (and on a queue worker): each row is its own run, so each row starts the
// servers its agent uses and stops them when the row ends. Rows after the first must still reach
// their servers (a row ending must not close another row's clients), and no server outlives its row.
// The real CLI, a real stdio MCP server that logs its start and exit, the wire simulator.

import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { readJsonLines, runCli } from '../e2e/helpers.js';
import { mcpLifeProject, mcpLifeScript } from '../support/mcp-life.js';
import { spawnWorker, stopWorker, testEnv, workerReady, writeRows, type WorkerProcess } from '../queue/project.js';
import { hasRedis, startRedis, type RedisServer } from '../queue/redis.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ script: mcpLifeScript });
});
afterAll(async () => sim.close());

/** `start <id>` / `exit <id>` lines of the fixture, in order. */
async function lifeLog(file: string): Promise<Array<[string, string]>> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => [line.split(' ')[0]!, line.split(' ')[1]!]);
}

/** One row at a time: each server starts, serves its row and exits before the next one starts. */
function expectOneServerPerRow(life: Array<[string, string]>, rows: number): void {
  expect(life).toHaveLength(rows * 2);
  for (let row = 0; row < rows; row++) {
    const [start, exit] = [life[row * 2]!, life[row * 2 + 1]!];
    expect(start[0]).toBe('start');
    expect(exit).toEqual(['exit', start[1]]);
  }
  expect(new Set(life.map(([, id]) => id)).size).toBe(rows);
}

describe('MCP servers per batch row', { timeout: 120_000 }, () => {
  it('local batch: every row reaches its server, and each row stops the server it started', async () => {
    const { root, log } = await mcpLifeProject();
    try {
      await writeRows(root, 3);
      const result = await runCli(['batch', 'agents/caller.yaml', '--inputs', 'rows.jsonl', '--out', 'out.jsonl', '--concurrency', '1', '--json'], { cwd: root, env: testEnv(sim) });
      const lines = await readJsonLines(join(root, 'out.jsonl'));
      expect(result.code, JSON.stringify(lines)).toBe(0);
      expect(lines.map((line) => line['status'])).toEqual(['succeeded', 'succeeded', 'succeeded']);
      const life = await lifeLog(log);
      expectOneServerPerRow(life, 3);
      // Each row's answer quotes the id of the server its own tool call reached.
      expect(lines.map((line) => line['output'])).toEqual(life.filter(([what]) => what === 'start').map(([, id], index) => `done row-${index + 1} id ${id}`));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  describe.skipIf(!hasRedis())('queue worker', () => {
    let redis: RedisServer;
    let worker: WorkerProcess | undefined;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      if (worker) await stopWorker(worker);
      await redis?.stop();
    });

    it('a worker stops each job’s MCP servers when the job ends; later jobs still reach theirs', async () => {
      const { root, log } = await mcpLifeProject();
      try {
        await writeRows(root, 3);
        const queue = `${redis.url}?name=mcp`;
        worker = spawnWorker(root, sim, queue, 'w1', ['--concurrency', '1']);
        await workerReady(worker);
        const result = await runCli(['batch', 'agents/caller.yaml', '--inputs', 'rows.jsonl', '--queue', queue, '--out', 'out.jsonl', '--json'], { cwd: root, env: testEnv(sim) });
        const lines = await readJsonLines(join(root, 'out.jsonl'));
        expect(result.code, JSON.stringify(lines)).toBe(0);
        expect(lines.map((line) => line['status'])).toEqual(['succeeded', 'succeeded', 'succeeded']);
        // The worker is still up: the servers of finished jobs are gone all the same.
        expectOneServerPerRow(await lifeLog(log), 3);
      } finally {
        await writeFile(log, '').catch(() => undefined);
        await rm(root, { recursive: true, force: true });
      }
    });
  });
});
