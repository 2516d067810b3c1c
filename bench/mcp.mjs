// Per-call overhead of an MCP tool call through agentpipe (allowlist, argument validation against
// the server's schema, audit line, redaction, output cap) over the official SDK client calling the
// same server directly. Both talk to one reference server (server-everything over stdio), calls
// interleaved in rounds so that drift in the machine's load hits both alike.
// Standalone: `node bench/mcp.mjs`. Exports run() -> rows for bench/run.mjs. Needs a build.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const dist = (file) => pathToFileURL(`${repoRoot}dist/${file}`).href;
const server = join(repoRoot, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const calls = 400;
const rounds = 5;

const median = (values) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)];

export async function run() {
  const [{ Client }, { StdioClientTransport }, { McpManager }, { executeToolCall }, { AuditLog }] = await Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/stdio.js'),
    import(dist('mcp/manager.js')),
    import(dist('tools/execute.js')),
    import(dist('tools/audit.js')),
  ]);
  const folder = await mkdtemp(join(tmpdir(), 'agentpipe-bench-mcp-'));
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [server, 'stdio'] }));
  const spec = { name: 'everything', transport: 'stdio', command: [process.execPath, server, 'stdio'], env: [], sandbox: 'off', startTimeoutMs: 30_000, callTimeoutMs: 30_000, maxOutputBytes: 256 * 1024, allowHosts: [] };
  const permissions = { read: { allow: [], deny: [], maxBytes: 1 << 20 }, write: { allow: [], deny: [], maxBytes: 1 << 20 }, bash: { allow: [], deny: [], timeoutMs: 30_000, maxOutputBytes: 65_536, env: [], shell: false }, http: { allowHosts: [], denyHosts: [], timeoutMs: 20_000, maxBytes: 1 << 21, maxRedirects: 5 } };
  const toolSet = { workspace: folder, permissions, tools: [{ kind: 'mcp', name: 'everything.get-sum', server: 'everything', tool: 'get-sum' }], mcpServers: { everything: spec } };
  const manager = new McpManager({ env: { PATH: process.env.PATH } });
  const expanded = await manager.expand(toolSet);
  const audit = new AuditLog(join(folder, 'audit.jsonl'), {});
  const context = { agent: 'bench', stepId: 'bench', audit, env: {}, mcp: manager };
  const direct = () => client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } });
  let id = 0;
  const through = () => executeToolCall(expanded, { type: 'tool-call', toolCallId: `c${id++}`, toolName: 'everything__get-sum', input: { a: 1, b: 2 } }, context);
  const timeSequential = async (call) => {
    const started = performance.now();
    for (let index = 0; index < calls; index++) await call();
    return ((performance.now() - started) * 1000) / calls;
  };
  for (let index = 0; index < 50; index++) await Promise.all([direct(), through()]);
  const bare = [];
  const ours = [];
  for (let round = 0; round < rounds; round++) {
    bare.push(await timeSequential(direct));
    ours.push(await timeSequential(through));
  }
  await audit.flush();
  await client.close();
  await manager.close();
  await rm(folder, { recursive: true, force: true });
  const bareMs = median(bare) / 1000;
  const oursMs = median(ours) / 1000;
  return [
    { name: 'MCP tool call (get-sum, stdio), sequential', value: oursMs, unit: 'ms/call', baseline: bareMs, ratio: oursMs / bareMs, goal: '<= bare + 1 ms', note: `overhead ${(oursMs - bareMs).toFixed(3)} ms per call; median of ${rounds} rounds of ${calls}` },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(row);
}
