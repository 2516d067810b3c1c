// `agentpipe worker --queue redis://... [--concurrency N]`: runs queued rows and runs with the config
// repo of the working directory until SIGTERM/SIGINT. On the signal it takes no new job, lets active
// ones finish for --grace (default 30s), then stops them (state saved in Redis) and hands them back
// to the queue; a second signal quits at once (BullMQ's stalled-job check hands those back).

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';

export interface WorkerFlags {
  queue?: string;
  concurrency?: string | number;
  grace?: string;
  lockDuration?: string;
  json?: boolean;
}

export async function workerCommand(flags: WorkerFlags): Promise<number> {
  const [{ parseQueueAddress, describeAddress }, { startWorker }, { guardOutput }, { UsageError }, { parseDurationFlag }] = await Promise.all([
    import('../../queue/connection.js'),
    import('../../queue/worker.js'),
    import('../progress/streams.js'),
    import('../../errors.js'),
    import('../../queue/durations.js'),
  ]);
  const address = parseQueueAddress(flags.queue);
  const concurrency = Number(flags.concurrency ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency must be a whole number of at least 1, got '${flags.concurrency}'`);
  const graceMs = parseDurationFlag(flags.grace, '--grace', 30_000);
  const lockDurationMs = parseDurationFlag(flags.lockDuration, '--lock-duration', 30_000);
  const output = guardOutput();
  const json = flags.json === true;
  const log = (line: string) => output.err(json ? `${JSON.stringify({ time: new Date().toISOString(), message: line })}\n` : `${line}\n`);
  const worker = await startWorker({ address, concurrency, cwd: process.cwd(), lockDurationMs, stalledIntervalMs: Math.max(500, Math.round(lockDurationMs / 2)), log });
  log(`worker ${process.pid} on ${describeAddress(address)}, ${concurrency} at a time; SIGTERM stops it (grace ${graceMs / 1000}s)`);
  // A worker with no key fails every job it takes: say so once, now (it still serves the routes it can call).
  void import('../../run/project-availability.js')
    .then(({ checkProjectChains }) => checkProjectChains(process.cwd(), process.env))
    .then(({ warning }) => warning && log(warning))
    .catch(() => undefined);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (name: string) => {
      if (stopping) process.exit(130);
      stopping = true;
      log(`${name}: taking no new jobs; active ones have ${graceMs / 1000}s to finish, then they are handed back`);
      void worker.close(graceMs).then(({ handedBack }) => {
        log(`worker stopped${handedBack > 0 ? `; ${handedBack} job(s) handed back` : ''}`);
        resolve(0);
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

export const workerCommandModule: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('worker', 'Run queued batch rows and runs (BullMQ on Redis) with this directory\'s config repo')
      .option('--queue <redis-url>', 'redis://host:port[/db][?name=queue]')
      .option('--concurrency <n>', 'Jobs at a time (default 4)')
      .option('--grace <duration>', 'On SIGTERM, how long active jobs may finish before they are handed back (default 30s)')
      .option('--lock-duration <duration>', 'How long a dead worker\'s jobs wait before another worker takes them over (default 30s)')
      .option('--json', 'Log lines as JSON on stderr')
      .action(async (flags: WorkerFlags) => {
        const code = await workerCommand(flags);
        setTimeout(() => process.exit(code), 1500).unref();
        return code;
      });
  },
};
