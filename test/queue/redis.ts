// A real redis-server for the queue tests, on a free loopback port, with no persistence unless a
// test asks for it (the restart test needs the append-only file). Stopped by the test.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCommands } from '../support/system.js';

export const hasRedis = () => requireCommands('queue (BullMQ on Redis)', { 'redis-server': 'redis-server' });

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RedisServer {
  port: number;
  url: string;
  dir: string;
  process: ChildProcess;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Starts again on the same port and data directory. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(options: { persistent?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'agentpipe-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...(options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'])];
  const launch = async (): Promise<ChildProcess> => {
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('Ready to accept connections')) resolve();
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${text}`)));
    });
    child.stdout!.resume();
    return child;
  };
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    process: await launch(),
    async kill() {
      const exited = once(server.process, 'exit');
      server.process.kill('SIGKILL');
      await exited;
    },
    async restart() {
      server.process = await launch();
    },
    async stop() {
      if (server.process.exitCode !== null || server.process.signalCode !== null) return;
      const exited = once(server.process, 'exit');
      server.process.kill('SIGTERM');
      await exited;
    },
  };
  return server;
}
