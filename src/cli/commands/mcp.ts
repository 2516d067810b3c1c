// `agentpipe mcp list [server]`: start MCP servers, print their tools and schemas, and cache them
// for offline lint. `agentpipe mcp serve [--stdio | --port N]`: this repo's agents and templates as
// MCP tools. The SDK loads only inside the actions.
import type { CAC } from 'cac';
import type { CommandModule } from './index.js';

interface ListFlags {
  json?: boolean;
}

interface ServeFlags {
  stdio?: boolean;
  port?: number | string;
  host?: string;
  concurrency?: number | string;
}

async function list(server: string | undefined, flags: ListFlags): Promise<number> {
  const [{ loadProject }, { validateToolsFileOrThrow }, { listServerTools }] = await Promise.all([
    import('../../load/index.js'),
    import('../../validate/index.js'),
    import('../../mcp/list.js'),
  ]);
  const raw = await loadProject();
  const tools = await validateToolsFileOrThrow(raw);
  const report = await listServerTools(raw.root, tools, raw.env as NodeJS.ProcessEnv, server);
  if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const { formatServerTools } = await import('../../mcp/list.js');
    process.stdout.write(formatServerTools(report));
  }
  return report.servers.some((entry) => entry.error !== undefined) ? 1 : 0;
}

async function serve(flags: ServeFlags): Promise<number> {
  const { UsageError } = await import('../../errors.js');
  if (flags.stdio && flags.port !== undefined) throw new UsageError('`agentpipe mcp serve` takes --stdio or --port, not both');
  const { serveMcp } = await import('../../mcp/serve.js');
  const port = flags.port === undefined ? undefined : Number(flags.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--port must be a port number (0-65535), not \`${flags.port}\``);
  const concurrency = flags.concurrency === undefined ? 4 : Number(flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new UsageError(`--concurrency must be a whole number from 1 to 256, not \`${flags.concurrency}\``);
  const host = flags.host ?? '127.0.0.1';
  const { isLoopback } = await import('../../serve/loopback.js');
  // The MCP endpoint asks for no credentials, and every call is a paid run.
  if (port !== undefined && !isLoopback(host)) throw new UsageError(`refusing to serve MCP on ${host}: the endpoint has no authentication, so it binds loopback only (127.0.0.1, ::1 or localhost); reach it from elsewhere through a tunnel or proxy that authenticates`);
  return serveMcp({ concurrency, ...(port === undefined ? { stdio: true } : { port, host }) });
}

export const mcpCommand: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('mcp [action] [server]', 'MCP: `mcp list [server]` shows (and caches) the tools of MCP servers; `mcp serve` exposes agents and templates as MCP tools')
      .option('--json', 'Print JSON (mcp list)')
      .option('--stdio', 'mcp serve: speak MCP on stdin/stdout (the default)')
      .option('--port <port>', 'mcp serve: speak streamable HTTP on this port instead')
      .option('--host <host>', 'mcp serve --port: a loopback address to bind (default 127.0.0.1); the endpoint has no authentication')
      .option('--concurrency <n>', 'mcp serve: tool calls (runs) at once; more wait their turn (default 4)')
      .example('agentpipe mcp list')
      .example('agentpipe mcp list github --json')
      .example('agentpipe mcp serve --stdio')
      .action(async (action: string | undefined, server: string | undefined, flags: ListFlags & ServeFlags) => {
        if (action === 'list') return list(server, flags);
        if (action === 'serve') return serve(flags);
        const { UsageError } = await import('../../errors.js');
        throw new UsageError(action === undefined ? '`agentpipe mcp` needs an action: `list [server]` or `serve`' : `unknown action \`mcp ${action}\`: use \`mcp list [server]\` or \`mcp serve\``);
      });
  },
};
