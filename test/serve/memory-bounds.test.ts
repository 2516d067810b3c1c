// What serve keeps in memory for speed stays bounded: finished runs' logs in the event hub (by count
// and by size; older ones are read from events.jsonl again), and the run index's recent rows (a run
// with large inputs is not kept, and reads still give the stored row).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventHub } from '../../src/serve/event-hub.js';
import { RunIndex } from '../../src/serve/run-index.js';
import { openSqlite } from '../../src/store/sqlite.js';

const collect = async (hub: EventHub, path: string, runId: string) => {
  const lines: Array<[number, string]> = [];
  await hub.follow(path, runId, 0, { line: (id, text) => lines.push([id, text]), end: () => undefined });
  return lines;
};

describe('serve memory bounds', () => {
  it('keeps the logs of the last 1,024 finished runs, then reads the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agentpipe-hub-'));
    try {
      const hub = new EventHub();
      for (let index = 0; index < 1100; index++) {
        hub.open(`run-${index}`, 0);
        hub.pushLines(`run-${index}`, [`{"n":${index},"type":"run-start"}`, `{"n":${index},"type":"run-end"}`]);
        hub.finish(`run-${index}`);
      }
      expect(hub.knownLines('run-1099')).toBe(2);
      expect(hub.knownLines('run-76')).toBe(2);
      expect(hub.knownLines('run-75')).toBeUndefined();
      // From memory, without the file.
      expect(await collect(hub, join(dir, 'missing.jsonl'), 'run-1099')).toEqual([[1, '{"n":1099,"type":"run-start"}'], [2, '{"n":1099,"type":"run-end"}']]);
      // Forgotten: the file is the only copy again.
      const path = join(dir, 'events.jsonl');
      await writeFile(path, '{"from":"file"}\n');
      expect(await collect(hub, path, 'run-0')).toEqual([[1, '{"from":"file"}']]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('builds a finished run\'s SSE stream once, leaving out a cut line but not its number', () => {
    const hub = new EventHub();
    hub.open('run', 0);
    hub.pushLines('run', ['{"type":"run-start"}', '{"type":"step-st', '{"type":"run-end"}']);
    expect(hub.finishedSse('run', (line) => line.endsWith('}'))).toBeUndefined();
    hub.finish('run');
    const sse = hub.finishedSse('run', (line) => line.endsWith('}'));
    expect(sse?.toString()).toBe('id: 1\ndata: {"type":"run-start"}\n\nid: 3\ndata: {"type":"run-end"}\n\n');
    expect(hub.finishedSse('run', () => true)).toBe(sse);
    expect(hub.finishedSse('unknown', () => true)).toBeUndefined();
  });

  it('counts the SSE buffers in the 16 MiB budget of finished logs', () => {
    const hub = new EventHub();
    const line = `{"text":"${'x'.repeat(1024 * 1024)}"}`;
    for (let index = 0; index < 12; index++) {
      hub.open(`run-${index}`, 0);
      hub.pushLines(`run-${index}`, [line]);
      hub.finish(`run-${index}`);
    }
    // 12 MiB of lines fit; their SSE copies (another 12 MiB) do not: the oldest runs are dropped.
    for (let index = 0; index < 12; index++) hub.finishedSse(`run-${index}`, () => true);
    expect(hub.knownLines('run-11')).toBe(1);
    expect(hub.knownLines('run-0')).toBeUndefined();
  });

  it('does not keep a finished log larger than a quarter of its 16 MiB budget', () => {
    const hub = new EventHub();
    hub.open('big', 0);
    hub.pushLines('big', Array.from({ length: 5 }, () => `"${'x'.repeat(1024 * 1024)}"`));
    hub.finish('big');
    expect(hub.knownLines('big')).toBeUndefined();
    hub.open('small', 0);
    hub.pushLines('small', ['{}']);
    hub.finish('small');
    expect(hub.knownLines('small')).toBe(1);
  });

  it('answers get() for runs with large inputs from the table, with every write applied', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agentpipe-index-'));
    const database = await openSqlite(join(dir, 'store.db'));
    try {
      const index = new RunIndex(database);
      const base = { target: 'agents/a.yaml', name: 'a', kind: 'agent' as const, status: 'queued' as const, tags: ['t'], createdAt: new Date().toISOString() };
      index.insert({ ...base, id: 'small', inputs: { text: 'hi' } });
      index.insert({ ...base, id: 'large', inputs: { text: 'y'.repeat(64 * 1024) } });
      for (const id of ['small', 'large']) {
        index.markRunning(id, '2026-12-02T00:00:00.000Z');
        index.finish(id, { status: 'failed', endedAt: '2026-12-02T00:00:01.000Z', durationMs: 1000, costUsd: 0.5, errorClass: 'step_failed', error: 'boom', costs: [] });
      }
      // The memory copy and the table say the same.
      const fresh = new RunIndex(database);
      for (const id of ['small', 'large']) {
        expect(index.get(id)).toEqual(fresh.get(id));
        expect(index.get(id)).toMatchObject({ status: 'failed', attempts: 1, costUsd: 0.5, error: 'boom', startedAt: '2026-12-02T00:00:00.000Z' });
      }
      expect((index.get('large')!.inputs['text'] as string).length).toBe(64 * 1024);
    } finally {
      database.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps the runs-by-status counts of /metrics (counted once, then updated) equal to the table after every kind of write', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agentpipe-index-'));
    const database = await openSqlite(join(dir, 'store.db'));
    try {
      const index = new RunIndex(database);
      const base = { target: 'agents/a.yaml', name: 'a', kind: 'agent' as const, status: 'queued' as const, tags: [], createdAt: new Date().toISOString() };
      index.insert({ ...base, id: 'one', inputs: {} });
      // Counted from the table once, then kept up to date (a run with large inputs is not in the cache).
      expect(index.countByStatus()).toEqual({ queued: 1 });
      index.insert({ ...base, id: 'two', inputs: { text: 'y'.repeat(64 * 1024) } });
      index.insert({ ...base, id: 'three', inputs: {} });
      for (const id of ['one', 'two']) index.markRunning(id, '2026-12-02T00:00:00.000Z');
      index.finish('one', { status: 'succeeded', endedAt: '2026-12-02T00:00:01.000Z', durationMs: 1000, costUsd: 0, costs: [] });
      index.finish('two', { status: 'failed', endedAt: '2026-12-02T00:00:01.000Z', durationMs: 1000, costUsd: 0, costs: [] });
      index.setStatus('three', 'cancelled');
      index.markRunning('two', '2026-12-02T00:00:02.000Z');
      const table = Object.fromEntries((database.prepare('SELECT status, count(*) AS count FROM runs GROUP BY status').all() as Array<{ status: string; count: number }>).map((row) => [row.status, row.count]));
      expect(table).toEqual({ succeeded: 1, running: 1, cancelled: 1 });
      expect(index.countByStatus()).toEqual(table);
    } finally {
      database.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
