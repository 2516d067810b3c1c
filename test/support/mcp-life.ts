// A project whose agent `caller` calls one tool of a real stdio MCP server (test/batch/fixtures/
// life-server.mjs) that logs `start <id>` and `exit <id>` to src/mcp-life.log, and the simulator
// script that drives it: call the tool first, then answer with the server's id once the result is in.

import { join } from 'node:path';
import type { SimRequest, SimTurn } from '../../src/sim/index.js';
import { agentYaml, makeProject, repoRoot, toolsYaml } from '../e2e/helpers.js';
import { providersFile, rowOf } from '../queue/project.js';

const lifeServer = join(repoRoot, 'test/batch/fixtures/life-server.mjs');

export function mcpLifeScript(request: SimRequest): SimTurn {
  const body = JSON.stringify(request.body);
  if (body.includes('tool_result')) return { text: `done row-${rowOf(request)} ${/id [0-9a-f]{12}/.exec(body)?.[0] ?? 'no id'}`, usage: { input: 20, output: 5 } };
  return { toolCalls: [{ name: 'life__whoami', input: {} }], usage: { input: 20, output: 5 } };
}

export async function mcpLifeProject(): Promise<{ root: string; log: string }> {
  const root = await makeProject({
    'providers.yaml': providersFile(),
    'tools.yaml': `${toolsYaml}mcp_servers:\n  life: { command: ${JSON.stringify([process.execPath, lifeServer, 'src/mcp-life.log'])}, start_timeout: 20s }\n`,
    'agents/caller.yaml': agentYaml('caller', { tools: ['life.whoami'] }),
    'src/.keep': '',
  });
  // The server runs sandboxed in the workspace (the project root), where it may write under src/ only.
  return { root, log: join(root, 'src', 'mcp-life.log') };
}
