// Network from inside the sandbox: none by default; with bash.allow_hosts, only through agentpipe's
// proxy, which lets through the named hosts (plain HTTP and CONNECT tunnels) and nothing else.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ToolSet } from '../../src/compile/ir.js';
import { requireCommands } from '../support/system.js';
import { makeSandbox, run, startServer, toolSet, type LoopbackServer, type Sandbox } from '../tools/helpers.js';

const hasSandbox = requireCommands('OS sandbox network proxy', { bwrap: 'bubblewrap', socat: 'socat' });

/**
 * A client run inside the sandbox: `plain <url>` fetches through HTTP_PROXY (NODE_USE_ENV_PROXY, which
 * tunnels with CONNECT), `absolute <url>` sends the proxy a plain HTTP request with an absolute URL,
 * `tunnel <host> <port> <path>` asks the proxy for a CONNECT tunnel by hand, `direct <port> <path>`
 * connects to the host's loopback without the proxy.
 */
const client = `const net = require('node:net');
const [mode, ...rest] = process.argv.slice(2);
const raw = (port, host, text) => new Promise((resolve) => {
  const socket = net.connect(port, host, () => socket.write(text));
  let data = '';
  socket.on('data', (chunk) => { data += chunk; if (mode === 'tunnel' && data.startsWith('HTTP/1.1 200') && !socket.sent) { socket.sent = true; data = ''; socket.write('GET ' + rest[2] + ' HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n'); } });
  socket.on('end', () => resolve(data)); socket.on('error', (error) => resolve('blocked ' + error.code));
});
if (mode === 'plain') fetch(rest[0]).then((r) => r.text()).then(console.log, (e) => console.log('failed', e.cause?.code ?? e.message));
if (mode === 'tunnel') raw(3128, '127.0.0.1', 'CONNECT ' + rest[0] + ':' + rest[1] + ' HTTP/1.1\\r\\nHost: ' + rest[0] + '\\r\\n\\r\\n').then(console.log);
if (mode === 'absolute') raw(3128, '127.0.0.1', 'GET ' + rest[0] + ' HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n').then(console.log);
if (mode === 'direct') raw(Number(rest[0]), '127.0.0.1', 'GET ' + rest[1] + ' HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n').then(console.log);
`;
const node = (...args: string[]) => [process.execPath, 'client.cjs', ...args].join(' ');

let sandbox: Sandbox;
let server: LoopbackServer;

function policy(allowHosts: string[], denyHosts: string[] = []): ToolSet {
  const base = toolSet(sandbox);
  return {
    ...base,
    permissions: {
      ...base.permissions,
      http: { ...base.permissions.http, denyHosts },
      bash: { ...base.permissions.bash, allow: ['*'], deny: [], shell: true, allowHosts },
    },
  };
}

const sh = (set: ToolSet, command: string) => run(set, sandbox, 'bash', { command }, { env: { PATH: process.env['PATH'] } });

beforeAll(async () => {
  sandbox = await makeSandbox({ 'README.md': 'readme\n', 'client.cjs': client });
  server = await startServer((request, response) => response.end(`hello ${request.url}`));
});
afterAll(async () => {
  await server.close();
  await sandbox.cleanup();
});

describe.skipIf(!hasSandbox)('network inside the sandbox', () => {
  test('without allow_hosts there is none, and no proxy is offered', async () => {
    const result = await sh(policy([]), `echo proxy=$HTTP_PROXY; ${node('direct', String(server.port), '/direct')}`);
    expect(result.output).toContain('proxy=\n');
    expect(result.output).toContain('blocked');
    expect(result.output).not.toContain('hello');
    expect(server.requests.some((line) => line.endsWith('/direct'))).toBe(false);
  });

  test('an allowed host is reached through the proxy, by plain HTTP and by a CONNECT tunnel', async () => {
    const set = policy(['127.0.0.1']);
    const result = await sh(set, `${node('plain', `http://127.0.0.1:${server.port}/plain`)}; ${node('absolute', `http://127.0.0.1:${server.port}/absolute`)}; ${node('tunnel', '127.0.0.1', String(server.port), '/tunnel')}`);
    expect(result.output).toContain('hello /plain');
    expect(result.output).toContain('hello /absolute');
    expect(result.output).toContain('hello /tunnel');
  });

  test('a host not named is refused by the proxy and never contacted; going around the proxy fails', async () => {
    const before = server.requests.length;
    const set = policy(['127.0.0.1']);
    const result = await sh(set, `${node('absolute', `http://localhost:${server.port}/named`)}; ${node('tunnel', 'localhost', String(server.port), '/tunnel')}; ${node('direct', String(server.port), '/around')}`);
    expect(result.output).toContain('host "localhost" is not in bash.allow_hosts');
    expect(result.output).toContain('HTTP/1.1 403 Forbidden');
    expect(result.output).toContain('blocked');
    expect(server.requests.slice(before)).toEqual([]);
  });

  test('http.deny_hosts wins over bash.allow_hosts', async () => {
    const before = server.requests.length;
    const result = await sh(policy(['127.0.0.*'], ['127.0.0.1']), `${node('absolute', `http://127.0.0.1:${server.port}/denied`)}; ${node('tunnel', '127.0.0.1', String(server.port), '/denied')}`);
    expect(result.output).toContain('host "127.0.0.1" is not in bash.allow_hosts');
    expect(result.output).toContain('HTTP/1.1 403 Forbidden');
    expect(server.requests.slice(before)).toEqual([]);
  });
});
