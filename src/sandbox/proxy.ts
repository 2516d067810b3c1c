// The only way out of the sandbox's network namespace: an HTTP proxy in the agentpipe process,
// reached through a Unix socket mounted into the sandbox (socat inside bridges 127.0.0.1:3128 to it).
// It forwards plain HTTP requests and CONNECT tunnels (HTTPS) to allowed hosts only, checked with the
// same host matching as the http tool; everything else gets a 403 and is never contacted.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Port the bridge listens on inside the sandbox; HTTP(S)_PROXY point at it. */
export const proxyPortInside = 3128;
/** Where the socket appears inside the sandbox. */
export const proxySocketInside = '/run/agentpipe-proxy.sock';

export interface HostProxy {
  socketPath: string;
  close(): Promise<void>;
}

function refuse(response: ServerResponse, host: string): void {
  response.writeHead(403, { 'content-type': 'text/plain' }).end(`agentpipe sandbox: host "${host}" is not in bash.allow_hosts\n`);
}

/** `allowed(host)` decides; the proxy lives for one command and is closed after it. */
export async function startHostProxy(allowed: (host: string) => boolean): Promise<HostProxy> {
  const folder = await mkdtemp(join(tmpdir(), 'agentpipe-proxy-'));
  const socketPath = join(folder, 'proxy.sock');
  const sockets = new Set<Socket>();
  const server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    let target: URL;
    try {
      target = new URL(incoming.url ?? '');
    } catch {
      return void response.writeHead(400).end('agentpipe sandbox: the proxy takes absolute http:// URLs\n');
    }
    if (target.protocol !== 'http:') return void response.writeHead(400).end('agentpipe sandbox: use CONNECT for https\n');
    if (!allowed(target.hostname)) return refuse(response, target.hostname);
    const headers = { ...incoming.headers };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const upstream = httpRequest(target, { method: incoming.method, headers }, (reply) => {
      response.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(response);
    });
    upstream.on('error', (error) => response.headersSent ? response.destroy() : response.writeHead(502).end(`agentpipe sandbox: ${error.message}\n`));
    incoming.pipe(upstream);
  });
  server.on('connect', (incoming: IncomingMessage, client: Socket, head: Buffer) => {
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(incoming.url ?? '');
    const host = match?.[1] ?? '';
    if (!match || !allowed(host)) {
      client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\nagentpipe sandbox: host "${host}" is not in bash.allow_hosts\n`);
      return;
    }
    const upstream = connect(Number(match[2]), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [upstream, client]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        upstream.destroy();
        client.destroy();
      });
    }
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  return {
    socketPath,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(folder, { recursive: true, force: true });
    },
  };
}
