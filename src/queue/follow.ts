// `run --queue ... --follow`: enqueue one run, then read its events from the run's Redis stream as
// the worker writes them (XREAD BLOCK), from the first, until run-end; then the recorded result.
// A worker that dies mid-run and the worker that takes the run over write to the same stream.

import type { RowResult } from '../batch/row.js';
import type { RunEvent } from '../run/events.js';
import { newRunId } from '../run/ids.js';
import type { QueueClient } from './client.js';
import type { JobData } from './jobs.js';

export async function enqueueRun(client: QueueClient, data: Omit<JobData, 'runId'>): Promise<string> {
  const runId = newRunId();
  await client.queue.add('run', { ...data, runId }, { jobId: runId });
  return runId;
}

export async function* runEvents(client: QueueClient, runId: string, signal: AbortSignal): AsyncGenerator<RunEvent> {
  // A blocking read needs its own connection.
  const reader = client.redis.duplicate();
  reader.on('error', () => undefined);
  const key = client.keys.runEvents(runId);
  let last = '0';
  try {
    while (!signal.aborted) {
      const reply = (await reader.xread('COUNT', 500, 'BLOCK', 1000, 'STREAMS', key, last)) as Array<[string, Array<[string, string[]]>]> | null;
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          last = id;
          const event = JSON.parse(fields[1] ?? '{}') as RunEvent;
          yield event;
          if (event.type === 'run-end' && event.status !== 'interrupted') return;
        }
      }
    }
  } finally {
    reader.disconnect();
  }
}

/** The run's recorded result; the worker records it just after the run's last event. */
export async function runResult(client: QueueClient, runId: string, signal: AbortSignal): Promise<RowResult | undefined> {
  for (let attempt = 0; attempt < 200 && !signal.aborted; attempt++) {
    const text = await client.redis.hget(client.keys.runResults, runId);
    if (text !== null) return JSON.parse(text) as RowResult;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}
