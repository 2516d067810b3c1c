// One suite for both RunStore drivers (files, Redis): what resume relies on. A real redis-server.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, parseQueueAddress, queueKeys } from '../../src/queue/connection.js';
import { finishedRunTtlSeconds, RedisRunStore } from '../../src/queue/redis-store.js';
import { newRunId } from '../../src/run/ids.js';
import type { RunState } from '../../src/run/state.js';
import { fileRunStore, type RunStore } from '../../src/run/store.js';
import { hasRedis, startRedis, type RedisServer } from './redis.js';

const state = (runId: string): RunState => ({
  version: 1,
  runId,
  target: 'agents/a.yaml',
  kind: 'agent',
  name: 'a',
  status: 'running',
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  inputs: { task: 'x' },
  steps: {},
  costUsd: 0,
  ledger: undefined,
});

const secret = 'sk-live-0123456789abcdef0123456789';

describe.skipIf(!hasRedis())('RunStore drivers', () => {
  let redis: RedisServer;
  let client: Redis;
  const drivers: Array<[string, () => Promise<RunStore>]> = [
    ['file', async () => fileRunStore(await mkdtemp(join(tmpdir(), 'agentpipe-store-')))],
    ['redis', async () => new RedisRunStore(client, queueKeys(`test${Math.random().toString(36).slice(2, 8)}`), await mkdtemp(join(tmpdir(), 'agentpipe-store-')))],
  ];

  beforeAll(async () => {
    redis = await startRedis();
    client = await connectRedis(parseQueueAddress(redis.url), 'test');
  });
  afterAll(async () => {
    await client?.quit();
    await redis?.stop();
  });

  for (const [name, open] of drivers) {
    describe(name, () => {
      it('has nothing for an unknown run', async () => {
        const store = await open();
        expect(await store.load(newRunId())).toBeUndefined();
      });

      it('keeps the last saved state and step outputs, with secrets redacted', async () => {
        const store = await open();
        const runId = newRunId();
        const lock = await store.own(runId);
        const writer = store.writer(runId, { MY_API_KEY: secret }, (current) => void (current.costUsd = 0.25));
        const current = state(runId);
        await writer.saveOutput('first', { text: `key ${secret}` });
        current.steps['first'] = { status: 'succeeded', agent: 'a', costUsd: 0.25, usage: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 }, durationMs: 5 };
        // Saves asked for together coalesce; the state read back holds the last one.
        await Promise.all([writer.save(current), writer.save(current)]);
        current.status = 'succeeded';
        await writer.save(current);
        await writer.flush();
        await lock.release();
        const loaded = await store.load(runId);
        expect(loaded?.status).toBe('succeeded');
        expect(loaded?.costUsd).toBe(0.25);
        expect(loaded?.steps['first']?.status).toBe('succeeded');
        const output = (await store.readOutput(runId, 'first')) as { text: string };
        expect(output.text.startsWith('key ')).toBe(true);
        expect(output.text).not.toContain(secret);
        await expect(store.readOutput(runId, 'second')).rejects.toThrow();
      });

      it('keeps for_each item outputs apart', async () => {
        const store = await open();
        const runId = newRunId();
        const writer = store.writer(runId, {}, () => undefined);
        await writer.saveOutput('each', 'zero', 0);
        await writer.saveOutput('each', 'one', 1);
        expect(await store.readOutput(runId, 'each', 1)).toBe('one');
        expect(await store.readOutput(runId, 'each', 0)).toBe('zero');
      });
    });
  }

  it('redis: a run that ended keeps its keys a week; one stopped to be resumed keeps them for good', async () => {
    const keys = queueKeys('ttl');
    const store = new RedisRunStore(client, keys, await mkdtemp(join(tmpdir(), 'agentpipe-store-')));
    const [ended, stopped] = [newRunId(), newRunId()];
    for (const [runId, status] of [[ended, 'succeeded'], [stopped, 'interrupted']] as const) {
      const writer = store.writer(runId, {}, () => undefined);
      await writer.saveOutput('first', 'x');
      await writer.save({ ...state(runId), status });
      const emit = store.eventListener(runId);
      emit({ type: 'run-end', status, costUsd: 0, durationMs: 1, time: new Date().toISOString(), runId });
    }
    await client.ping();
    for (const key of [keys.runState(ended), keys.runOutputs(ended), keys.runEvents(ended)]) {
      const ttl = await client.ttl(key);
      expect(ttl).toBeGreaterThan(finishedRunTtlSeconds - 60);
      expect(ttl).toBeLessThanOrEqual(finishedRunTtlSeconds);
    }
    for (const key of [keys.runState(stopped), keys.runOutputs(stopped), keys.runEvents(stopped)]) expect(await client.ttl(key)).toBe(-1);
  });
});
