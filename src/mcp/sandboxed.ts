// A stdio MCP server runs under the same OS sandbox as bash and command tools: the workspace as the
// agent's permissions allow (read.deny masked unless bash.expose names it, writes only where
// write.allow says), no host home, /tmp or other projects, no network, and only the environment
// variables its `env:` lists. Its program and script stay readable so that it can start.
import { dirname, isAbsolute, join, sep } from 'node:path';
import { existsSync, realpathSync, statSync } from 'node:fs';
import type { McpServerSpec, Permissions } from '../compile/ir.js';
import { McpError } from './errors.js';
import { checkHost } from '../tools/permissions.js';
import type { SpawnSpec } from '../sandbox/index.js';

/** CPU seconds a server may use over its life (it lives as long as the run). */
const serverCpuSeconds = 3600;
const serverMemoryBytes = 4 * 1024 ** 3;

export async function confineServer(spec: McpServerSpec & { transport: 'stdio' }, options: { cwd: string; env: NodeJS.ProcessEnv; permissions?: Permissions }): Promise<SpawnSpec> {
  const env: NodeJS.ProcessEnv = {};
  // A program found on PATH needs PATH; HOME is pointed at the sandbox's own /tmp.
  for (const name of ['PATH', 'LANG', ...spec.env]) {
    const value = options.env[name];
    if (value !== undefined) env[name] = value;
  }
  env['HOME'] = '/tmp';
  const [file, ...args] = spec.command;
  const { confine, SandboxUnavailableError } = await import('../sandbox/index.js');
  const permissions = options.permissions;
  // Its own network: only the hosts its allow_hosts names (http.deny_hosts still wins), through the
  // sandbox's filtering proxy; none named, no network at all.
  const hostRules = { allowHosts: spec.allowHosts, denyHosts: permissions?.http.denyHosts ?? [], timeoutMs: 0, maxBytes: 0, maxRedirects: 0 };
  const allowHost = spec.allowHosts.length === 0 ? undefined : (host: string): boolean => {
    try {
      checkHost(hostRules, host);
      return true;
    } catch {
      return false;
    }
  };
  try {
    return await confine(
      { file: file!, args, env },
      {
        workspace: options.cwd,
        readDeny: permissions?.read.deny ?? [],
        expose: permissions?.bash.expose ?? [],
        writeAllow: permissions?.write.allow ?? [],
        writeDeny: permissions?.write.deny ?? [],
        readOnlyPaths: scriptFolders(args, options.cwd),
        cpuSeconds: serverCpuSeconds,
        memoryBytes: serverMemoryBytes,
      },
      spec.sandbox,
      allowHost,
    );
  } catch (error) {
    if (error instanceof SandboxUnavailableError) {
      throw new McpError(spec.name, `cannot start: ${error.reason}; or set \`sandbox: off\` on this server in tools.yaml to run it unconfined`);
    }
    throw error;
  }
}

/**
 * Arguments that are absolute paths of existing files outside the workspace (a server's script) are
 * made readable: the `node_modules` folder holding it; else its own folder and the nearest
 * `node_modules` above it, where its imports resolve. The workspace itself follows the permissions,
 * never this rule.
 */
function scriptFolders(args: string[], workspace: string): string[] {
  const folders = new Set<string>();
  for (const argument of args) {
    if (!isAbsolute(argument) || !existsSync(argument)) continue;
    const real = realpathSync(argument);
    if (real === workspace || real.startsWith(workspace + sep)) continue;
    if (!statSync(real).isFile()) continue;
    const marker = `${sep}node_modules${sep}`;
    const at = real.lastIndexOf(marker);
    if (at >= 0) {
      folders.add(real.slice(0, at + marker.length - 1));
      continue;
    }
    folders.add(dirname(real));
    for (let folder = dirname(real); folder !== dirname(folder); folder = dirname(folder)) {
      const modules = join(folder, 'node_modules');
      if (existsSync(modules) && !(modules === workspace || modules.startsWith(workspace + sep))) {
        folders.add(modules);
        break;
      }
    }
  }
  return [...folders];
}
