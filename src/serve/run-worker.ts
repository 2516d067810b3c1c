// A run worker thread of `agentpipe serve --workers N`: it runs pipelines so that the HTTP thread
// only does HTTP (parsing, auth, the index, fanning events out to subscribers). It holds its own
// copy of the project (loaded, validated, compiled, watched) and one set of provider ports, runs
// each job it is given through executeRun, and posts the run's events back, batched per tick, then
// the outcome. The HTTP thread owns the queue, the index and the event hub.

import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { createDefaultPorts } from '../run/default-ports.js';
import { SharedMemory } from '../memory/shared.js';
import { ModelCache } from '../providers/model-cache.js';
import { ServeProject } from './project.js';
import { abortReason, executeRun } from './run-exec.js';
import type { FromWorker, RunWorkerData, ToWorker } from './run-protocol.js';

// Runs yield the CPU to requests: on Linux this thread (its own task id) gets nice 10, so on a busy
// machine the HTTP thread answers first and runs, which mostly wait on providers, take what is left.
// Elsewhere, or when not allowed, nothing changes.
try {
  const task = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(task) && task > 0) setPriority(task, 10);
} catch {
  // not Linux
}

const port = parentPort;
if (!port) throw new Error('run-worker.js is a worker thread of agentpipe serve; it is not run directly');
const { root, env, simulated: simulate } = workerData as RunWorkerData;
const project = new ServeProject(root, env);
const simulated = simulate ? await (await import('../run/simulated.js')).startSimulatedRuntime() : undefined;
// Knowledge and facts: the store opens on the first agent that needs it, shared by this thread's runs.
const memory = new SharedMemory(root, env, simulated ? { simulated } : {});
const running = new Map<string, AbortController>();
// Each run gets ports of its own (its MCP servers stop when it ends), all sharing these SDK clients.
let models: ModelCache | undefined;
const post = (message: FromWorker) => port.postMessage(message);

// Events wait here until the end of the tick, so a burst costs one message per run, not one per event.
const pending = new Map<string, string[]>();
let scheduled = false;
function flush(): void {
  scheduled = false;
  for (const [id, lines] of pending) post({ type: 'lines', id, lines });
  pending.clear();
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'abort') {
    running.get(message.id)?.abort(abortReason(message.kind));
    return;
  }
  const { job } = message;
  const controller = new AbortController();
  running.set(job.id, controller);
  void executeRun({ project, ports: (runEnv, thread) => createDefaultPorts(runEnv, { ...(simulated ? { simulated } : { models: (models ??= new ModelCache(runEnv)) }), augment: memory.augmentFor(thread) }) }, job, controller.signal, (line) => {
    const lines = pending.get(job.id);
    if (lines) lines.push(line);
    else pending.set(job.id, [line]);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  }).then((outcome) => {
    running.delete(job.id);
    // Every event before the outcome, in the same channel: the hub ends followers after the last line.
    const lines = pending.get(job.id);
    if (lines) {
      pending.delete(job.id);
      post({ type: 'lines', id: job.id, lines });
    }
    post({ type: 'done', id: job.id, outcome });
  });
});

// The store's WAL is checkpointed here, once a second, not on the HTTP thread (server.ts turns its
// automatic checkpoints off): a checkpoint syncs the file to disk and may take tens of ms. PASSIVE
// never waits for other connections; a checkpoint another thread is doing just makes this one a no-op.
const { openSqlite, storePath } = await import('../store/sqlite.js');
const store = await openSqlite(storePath(root));
setInterval(() => {
  try {
    store.exec('PRAGMA wal_checkpoint(PASSIVE)');
  } catch {
    // busy: the next tick tries again
  }
}, 1000).unref();

// Warm up before saying ready: what the first run would otherwise load while others wait.
try {
  const loaded = await project.load();
  const targets = [...loaded.config.agents.keys(), ...loaded.config.templates.keys()];
  await Promise.all([import('../run/run.js'), ...targets.map((name) => project.pipeline(name).catch(() => undefined))]);
} catch {
  // A broken project: runs report it when they start.
}
post({ type: 'ready' });
