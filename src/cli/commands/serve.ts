// `agentpipe serve [--host 127.0.0.1] [--port 8787]`: the HTTP API v1, live events and the web
// dashboard for the config repo it starts in. Exit codes: 2 for a bad flag, a port in use, or a
// non-loopback host without auth; 0 after SIGINT/SIGTERM (running runs are saved as interrupted).

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';

export interface ServeFlags {
  host?: string;
  port?: number | string;
  concurrency?: number | string;
  rateLimit?: number | string;
  bodyLimit?: number | string;
  workers?: number | string;
  workerHeap?: number | string;
  heap?: number | string;
  log?: boolean;
  json?: boolean;
  sim?: boolean;
}

async function positiveInteger(flag: string, value: number | string | undefined, fallback: number, min = 1): Promise<number> {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) {
    const { UsageError } = await import('../../errors.js');
    throw new UsageError(`--${flag} must be an integer >= ${min}, got "${value}"`);
  }
  return number;
}

export async function serveCommand(flags: ServeFlags): Promise<number> {
  const [{ startServe }, { defaultWorkerHeapMb }, { findRoot }, { loadDotenv }, { UsageError }] = await Promise.all([import('../../serve/index.js'), import('../../serve/server.js'), import('../../load/discover.js'), import('../../load/dotenv.js'), import('../../errors.js')]);
  const root = await findRoot(process.cwd());
  if (!root) throw new UsageError(`no providers.yaml in ${process.cwd()} or any folder above it: run agentpipe serve inside your config repo (agentpipe init creates one)`);
  const host = String(flags.host ?? '127.0.0.1');
  const port = flags.port === undefined ? 8787 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (0-65535), not \`${flags.port}\``);
  // bin/agentpipe.js applied --heap when it started serve (a bad value is ignored there); here it is checked.
  await positiveInteger('heap', flags.heap, 128, 32);
  const env = { ...(await loadDotenv(root, process.env)) } as NodeJS.ProcessEnv;
  const server = await startServe({
    root,
    env,
    host,
    port,
    concurrency: await positiveInteger('concurrency', flags.concurrency, 4),
    rateLimit: await positiveInteger('rate-limit', flags.rateLimit, 60),
    bodyLimit: await positiveInteger('body-limit', flags.bodyLimit, 1024 * 1024, 1024),
    workers: await positiveInteger('workers', flags.workers, 1, 0),
    workerHeapMb: await positiveInteger('worker-heap', flags.workerHeap, defaultWorkerHeapMb, 32),
    ...(flags.log ? { log: true } : {}),
    ...(flags.sim ? { simulated: true } : {}),
  });
  const notes = [
    server.open ? 'no API keys or JWT configured: serving loopback only, without authentication (agentpipe keys create --role admin to require keys)' : 'authentication required: API keys or JWT bearer tokens',
    ...(server.recovered > 0 ? [`picked up ${server.recovered} run(s) a previous serve left queued or running`] : []),
    ...(flags.sim ? ['simulated (--sim): every model call is answered by the built-in simulator, at $0, with no key; knowledge and threads use .agentpipe/sim-store.db'] : []),
  ];
  if (flags.json) process.stdout.write(`${JSON.stringify({ type: 'listening', url: server.url, root, auth: !server.open, recovered: server.recovered })}\n`);
  else process.stderr.write(`agentpipe serve: ${server.url} (dashboard at ${server.url}/, API at ${server.url}/v1, project ${root})\n${notes.map((note) => `  ${note}\n`).join('')}`);
  // Runs on a route with no key would each fail: say so once, with the keyless way to try serve.
  if (!flags.sim) {
    void import('../../run/project-availability.js')
      .then(({ checkProjectChains }) => checkProjectChains(root, env))
      .then(({ warning }) => {
        if (!warning) return;
        const line = `${warning}; or restart with --sim to try serve with no key`;
        process.stderr.write(flags.json ? `${JSON.stringify({ type: 'warning', message: line })}\n` : `  ${line}\n`);
      })
      .catch(() => undefined);
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stderr.write(`\nagentpipe serve: ${signal}: stopping; running runs are saved as interrupted\n`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await server.close();
  return 0;
}

export const serveCommandModule: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('serve', 'HTTP API, live run events and a web dashboard for this config repo')
      .option('--host <host>', 'Address to bind (default 127.0.0.1; other hosts need API keys or JWT)')
      .option('--port <port>', 'Port (default 8787; 0 picks a free one)')
      .option('--concurrency <n>', 'Runs at once; more wait in a queue (default 4)')
      .option('--rate-limit <n>', 'Requests per minute per key (default 60)')
      .option('--body-limit <bytes>', 'Largest request body (default 1048576)')
      .option('--workers <n>', 'Worker threads that run the pipelines, so the HTTP thread only serves requests (default 1; 0 runs them on the HTTP thread)')
      .option('--worker-heap <MiB>', 'Heap limit of each run worker thread (default 128); a worker over it is replaced and its runs end interrupted')
      .option('--heap <MiB>', 'Heap limit of the HTTP thread (default 128; set when serve starts, on Node >= 23.11, unless NODE_OPTIONS sets --max-old-space-size)')
      .option('--sim', 'Try it without a key: the built-in simulator answers every model call, at $0')
      .option('--log', 'JSON request log on stderr (credentials redacted)')
      .option('--json', 'Print the listening address as one JSON line')
      .action(async (flags: ServeFlags) => {
        const code = await serveCommand(flags);
        setTimeout(() => process.exit(code), 1500).unref();
        return code;
      });
  },
};
