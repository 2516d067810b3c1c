// The Redis RunStore: a run's state (one JSON string, replaced whole on each save), its step
// outputs (a hash) and its events (a stream, which `run --queue --follow` reads). A job that
// another worker takes over after a crash loads the state and resumes from the finished steps.
// There is no lock: BullMQ's job lock decides which worker owns the run.

import type { Redis } from 'ioredis';
import type { EventListener } from '../run/event-log.js';
import { runFiles, type RunState } from '../run/state.js';
import type { RunStateWriter, RunStore } from '../run/store.js';
import { isSecretEnvName, redactValue } from '../tools/redact.js';
import type { QueueKeys } from './connection.js';

/** Events kept per run; older ones are trimmed (a follower that starts late misses them). */
const streamLength = 10_000;

/** A finished run's keys (state, outputs, events) expire this long after its last event, as BullMQ's finished jobs do. */
export const finishedRunTtlSeconds = 7 * 24 * 3600;

const outputField = (stepId: string, itemIndex?: number) => (itemIndex === undefined ? stepId : `${stepId}[${itemIndex}]`);

const secretsOnly = (env: NodeJS.ProcessEnv) => Object.fromEntries(Object.entries(env).filter(([name]) => isSecretEnvName(name)));

class RedisStateWriter implements RunStateWriter {
  private pending: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private readonly secrets: NodeJS.ProcessEnv;

  constructor(
    private readonly redis: Redis,
    private readonly keys: QueueKeys,
    private readonly runId: string,
    env: NodeJS.ProcessEnv,
    private readonly prepare: (state: RunState) => void,
  ) {
    this.secrets = secretsOnly(env);
  }

  // Saves coalesce as the file writer's do: a save asked for during a write is one next write.
  save(state: RunState): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.pending.then(async () => {
      this.queued = undefined;
      this.prepare(state);
      state.updatedAt = new Date().toISOString();
      await this.redis.set(this.keys.runState(this.runId), JSON.stringify(redactValue(state, this.secrets)));
    });
    this.queued = next;
    this.pending = next.catch(() => undefined);
    return next;
  }

  async saveOutput(stepId: string, output: unknown, itemIndex?: number): Promise<void> {
    // Commands on one connection run in order, so the output is stored before the state naming it.
    await this.redis.hset(this.keys.runOutputs(this.runId), outputField(stepId, itemIndex), JSON.stringify({ output: redactValue(output, this.secrets) }));
  }

  flush(): Promise<void> {
    return this.pending;
  }
}

export class RedisRunStore implements RunStore {
  readonly kind = 'redis';

  constructor(
    private readonly redis: Redis,
    private readonly keys: QueueKeys,
    /** The worker's project root: a run that calls a tool writes its audit.jsonl in a local run folder there. */
    private readonly root: string,
  ) {}

  files(runId: string) {
    return runFiles(this.root, runId);
  }

  async own() {
    return { release: async () => undefined };
  }

  async load(runId: string): Promise<RunState | undefined> {
    const text = await this.redis.get(this.keys.runState(runId));
    return text === null ? undefined : (JSON.parse(text) as RunState);
  }

  async beforeResume(): Promise<void> {}

  writer(runId: string, env: NodeJS.ProcessEnv, prepare: (state: RunState) => void): RunStateWriter {
    return new RedisStateWriter(this.redis, this.keys, runId, env, prepare);
  }

  async readOutput(runId: string, stepId: string, itemIndex?: number): Promise<unknown> {
    const text = await this.redis.hget(this.keys.runOutputs(runId), outputField(stepId, itemIndex));
    if (text === null) throw new Error(`no stored output for ${outputField(stepId, itemIndex)}`);
    return (JSON.parse(text) as { output: unknown }).output;
  }

  eventListener(runId: string): EventListener {
    const key = this.keys.runEvents(runId);
    // Events are already redacted by the event log. A failed write must not fail the run.
    return (event) => {
      void this.redis.xadd(key, 'MAXLEN', '~', String(streamLength), '*', 'event', JSON.stringify(event)).catch(() => undefined);
      // A run that ended (not one stopped to be resumed) keeps its keys for a week, then Redis drops them.
      if (event.type === 'run-end' && event.status !== 'interrupted') {
        const ttl = String(finishedRunTtlSeconds);
        void this.redis
          .multi()
          .expire(key, ttl)
          .expire(this.keys.runState(runId), ttl)
          .expire(this.keys.runOutputs(runId), ttl)
          .exec()
          .catch(() => undefined);
      }
    };
  }
}
