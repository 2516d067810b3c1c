// Connections to the Redis behind `--queue redis://host:port[/db][?name=queue]`, and the keys
// agentpipe keeps there. ioredis is loaded on first use (agentpipe --help stays fast). Every
// connection retries for ever (maxRetriesPerRequest: null, what BullMQ requires): a Redis restart
// pauses workers and clients, it does not fail them. The first connection is different: a Redis that
// never answered is a wrong URL or a server not started, so it fails in seconds with what to do.

import type { Redis } from 'ioredis';
import { RunFailedError, UsageError } from '../errors.js';

export interface QueueAddress {
  /** The Redis URL without agentpipe's own query parameters. */
  url: string;
  /** The BullMQ queue name: `?name=` or `agentpipe`. */
  name: string;
}

export function parseQueueAddress(text: string | undefined, flag = '--queue'): QueueAddress {
  if (text === undefined || typeof text !== 'string' || text === '') throw new UsageError(`${flag} needs a Redis URL, e.g. ${flag} redis://127.0.0.1:6379`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} ${text}: not a URL; write redis://host:port[/db]`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new UsageError(`${flag} ${text}: only redis:// and rediss:// URLs are supported`);
  const name = url.searchParams.get('name') ?? 'agentpipe';
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new UsageError(`${flag}: queue name '${name}' may hold only letters, digits, _ and -`);
  url.searchParams.delete('name');
  return { url: url.toString(), name };
}

/** Redis with a URL's password never shown: for messages. */
export const describeAddress = (address: QueueAddress): string => {
  const url = new URL(address.url);
  if (url.password) url.password = '***';
  return `${url.toString()} (queue ${address.name})`;
};

export async function connectRedis(address: QueueAddress, role: string): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(address.url, {
    maxRetriesPerRequest: null,
    connectionName: `agentpipe-${role}`,
    // Reconnect quickly after a Redis restart; ioredis keeps commands queued meanwhile.
    retryStrategy: (times) => Math.min(100 * times, 1000),
  });
  // Without a listener ioredis prints every failed reconnect; the retry strategy handles them.
  let lastError = '';
  redis.on('error', (error: Error & { code?: string }) => (lastError = error.code ?? error.message));
  if (redis.status !== 'ready') {
    const ready = await new Promise<boolean>((done) => {
      const timer = setTimeout(() => done(false), firstConnectMs());
      redis.once('ready', () => {
        clearTimeout(timer);
        done(true);
      });
    });
    if (!ready) {
      redis.disconnect();
      throw new RunFailedError(
        `cannot reach Redis at ${describeAddress(address)}${lastError ? ` (${lastError})` : ''} within ${firstConnectMs() / 1000} s; ` +
          `start it (\`redis-server\`) or fix the --queue URL`,
      );
    }
  }
  return redis;
}

/** How long the first connection may take (AGENTPIPE_REDIS_CONNECT_TIMEOUT_MS, default 5 s). */
function firstConnectMs(): number {
  const value = Number(process.env['AGENTPIPE_REDIS_CONNECT_TIMEOUT_MS']);
  return Number.isFinite(value) && value > 0 ? value : 5000;
}

/** Every key agentpipe keeps for one queue, beside BullMQ's own `bull:<name>:*`. */
export function queueKeys(name: string) {
  const base = `agentpipe:${name}`;
  return {
    runState: (runId: string) => `${base}:run:${runId}`,
    runOutputs: (runId: string) => `${base}:run:${runId}:outputs`,
    runEvents: (runId: string) => `${base}:run:${runId}:events`,
    /** Finished runs started with `run --queue` (not part of a batch): runId -> row result JSON. */
    runResults: `${base}:results`,
    /** One batch's ledger: line -> row result JSON, written once per row by whichever worker finished it. */
    batch: (batchId: string) => `${base}:batch:${batchId}`,
    /** One `batch --max-cost` command's budget (`spent`, `limit`); `<key>:holds` holds each running row's reservation. */
    budget: (budgetId: string) => `${base}:budget:${budgetId}`,
    /** Spend of finished jobs: `total` and `model:<provider/model>` in USD. */
    spend: `${base}:spend`,
  };
}

export type QueueKeys = ReturnType<typeof queueKeys>;

/** Rate-limit logs are per Redis, not per queue: every queue on it shares a provider's (or model's) limit. */
export const rateLimitKey = (scope: string, kind: 'rpm' | 'tpm') => `agentpipe:rate:${scope}:${kind}`;
