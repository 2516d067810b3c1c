// `agentpipe queue status`: BullMQ's job counts, the workers connected, and the spend of finished
// jobs (summed by whichever worker finished each one) in total and by model.

import { openQueue } from './client.js';
import type { QueueAddress } from './connection.js';

export interface QueueStatus {
  queue: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  workers: number;
  spendUsd: number;
  spendByModel: Record<string, number>;
}

export async function queueStatus(address: QueueAddress): Promise<QueueStatus> {
  const client = await openQueue(address);
  try {
    const counts = await client.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
    const spend = await client.redis.hgetall(client.keys.spend);
    const spendByModel = Object.fromEntries(Object.entries(spend).filter(([name]) => name.startsWith('model:')).map(([name, value]) => [name.slice('model:'.length), Number(value)]));
    return {
      queue: address.name,
      waiting: (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0),
      active: counts['active'] ?? 0,
      delayed: counts['delayed'] ?? 0,
      failed: counts['failed'] ?? 0,
      completed: counts['completed'] ?? 0,
      workers: await client.queue.getWorkersCount(),
      spendUsd: Number(spend['total'] ?? 0),
      spendByModel,
    };
  } finally {
    await client.close();
  }
}

const usd = (value: number) => `$${value.toFixed(value > 0 && value < 0.01 ? 4 : 2)}`;

export function formatQueueStatus(status: QueueStatus): string {
  const models = Object.entries(status.spendByModel).map(([model, cost]) => `  ${model}: ${usd(cost)}`);
  return [
    `queue ${status.queue}: ${status.workers} worker(s)`,
    `waiting ${status.waiting}, active ${status.active}, delayed ${status.delayed}, failed ${status.failed}, completed ${status.completed}`,
    `spend of finished jobs: ${usd(status.spendUsd)}`,
    ...models,
  ].join('\n') + '\n';
}
