// MCP tool servers through the real CLI: the reference `server-everything` over stdio, and broken
// servers that hang, crash or write garbage, which must end in a clear tool error, never a hung run.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { agentYaml, makeProject, onlyRunId, readJsonLines, repoRoot, runCli, simEnv, toolsYaml } from '../e2e/helpers.js';

const everything = join(repoRoot, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const badServer = join(repoRoot, 'test/mcp/fixtures/bad-server.mjs');

const mcpTools = (servers: string) => `${toolsYaml}mcp_servers:\n${servers}`;
const stdioServer = (name: string, argv: string[], extra = '') =>
  `  ${name}: { command: ${JSON.stringify([process.execPath, ...argv])}, start_timeout: 20s${extra} }\n`;

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});

describe('MCP client toolsets', { timeout: 120_000 }, () => {
  it('offers a server tool under a vendor-safe name, calls it, audits it as server.tool', async () => {
    const root = await makeProject({
      'tools.yaml': mcpTools(stdioServer('everything', [everything, 'stdio'])),
      'agents/adder.yaml': agentYaml('adder', { model: 'openai/gpt-test', tools: ['read', 'everything.get-sum', 'everything.echo'] }),
    });
    try {
      const first = sim.requests.length;
      sim.enqueue(
        { toolCalls: [{ name: 'everything__get-sum', input: { a: 2, b: 3 } }], usage: { input: 100, output: 20 } },
        { text: 'The answer is 5.', usage: { input: 150, output: 10 } },
      );
      const result = await runCli(['run', 'agents/adder.yaml', '--input', 'task=add 2 and 3'], { cwd: root, env: simEnv(sim.url) });
      expect(result.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('The answer is 5.');
      const requests = sim.requests.slice(first);
      const offered = JSON.stringify(requests[0]!.body);
      // OpenAI allows no dots: the wire names are mangled, and the schema is the server's own.
      expect(offered).toContain('"everything__get-sum"');
      expect(offered).toContain('"everything__echo"');
      expect(offered).not.toContain('everything.get-sum');
      expect(offered).toContain('First number');
      expect(offered).not.toContain('json-schema.org/draft-07');
      expect(JSON.stringify(requests[1]!.body)).toContain('The sum of 2 and 3 is 5');
      const audit = await readJsonLines(join(root, '.agentpipe/runs', await onlyRunId(root), 'audit.jsonl'));
      expect(audit.map((record) => `${String(record['tool'])}:${String(record['decision'])}`)).toEqual(['everything.get-sum:allowed']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('`server.*` offers every tool; a tool the agent did not list is refused like any other', async () => {
    const root = await makeProject({
      'tools.yaml': mcpTools(stdioServer('everything', [everything, 'stdio'])),
      'agents/all.yaml': agentYaml('all', { model: 'anthropic/claude-test', tools: ['everything.*'] }),
      'agents/narrow.yaml': agentYaml('narrow', { model: 'anthropic/claude-test', tools: ['everything.echo'] }),
    });
    try {
      const first = sim.requests.length;
      sim.enqueue({ text: 'ok', usage: { input: 10, output: 2 } });
      expect((await runCli(['run', 'agents/all.yaml', '--input', 'task=x'], { cwd: root, env: simEnv(sim.url) })).code).toBe(0);
      const offered = JSON.stringify(sim.requests[first]!.body);
      for (const tool of ['get-sum', 'echo', 'get-env', 'trigger-long-running-operation']) expect(offered).toContain(`"everything__${tool}"`);

      sim.enqueue(
        { toolCalls: [{ name: 'everything__get-env', input: {} }], usage: { input: 10, output: 2 } },
        { text: 'done', usage: { input: 10, output: 2 } },
      );
      const second = sim.requests.length;
      const narrow = await runCli(['run', 'agents/narrow.yaml', '--input', 'task=x', '--json'], { cwd: root, env: { ...simEnv(sim.url), SECRET_HOLDER_TOKEN: 'never-shown-0123456789' } });
      expect(narrow.code).toBe(0);
      const toolTurn = JSON.stringify(sim.requests[second + 1]!.body);
      expect(toolTurn).toContain('not allowlisted');
      expect(toolTurn).not.toContain('never-shown');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  for (const mode of ['hang-call', 'crash-call', 'garbage'] as const) {
    it(`a server that misbehaves (${mode}) ends in a clear tool error, not a hung run`, async () => {
      const root = await makeProject({
        'tools.yaml': mcpTools(stdioServer('bad', [badServer, mode], ', timeout: 2s')),
        'agents/caller.yaml': agentYaml('caller', { model: 'openai/gpt-test', tools: ['bad.work'] }),
      });
      try {
        const first = sim.requests.length;
        sim.enqueue(
          { toolCalls: [{ name: 'bad__work', input: { x: 'y' } }], usage: { input: 10, output: 2 } },
          { text: 'gave up', usage: { input: 10, output: 2 } },
        );
        const result = await runCli(['run', 'agents/caller.yaml', '--input', 'task=x'], { cwd: root, env: simEnv(sim.url) });
        expect(result.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
        expect(result.code).toBe(0);
        const toolTurn = JSON.stringify(sim.requests[first + 1]!.body);
        expect(toolTurn).toMatch(/MCP server `bad`: tools\/call work (did not answer within 2000 ms|failed)/);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    });
  }

  it('a server that never finishes its handshake fails the step with a one-line error', async () => {
    const root = await makeProject({
      'tools.yaml': mcpTools(`  bad: { command: ${JSON.stringify([process.execPath, badServer, 'hang-start'])}, start_timeout: 1s }\n`),
      'agents/caller.yaml': agentYaml('caller', { model: 'openai/gpt-test', tools: ['bad.work'] }),
    });
    try {
      const result = await runCli(['run', 'agents/caller.yaml', '--input', 'task=x'], { cwd: root, env: simEnv(sim.url) });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('MCP server `bad`: did not finish the MCP handshake within 1000 ms (start_timeout)');
      expect(result.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('lint of MCP tools, offline', { timeout: 120_000 }, () => {
  it('warns that tools are unverified without a cache, checks names against `mcp list`s cache', async () => {
    const root = await makeProject({
      'tools.yaml': mcpTools(stdioServer('everything', [everything, 'stdio'])),
      'agents/adder.yaml': agentYaml('adder', { tools: ['everything.get-sum', 'everythin.echo'] }),
    });
    try {
      const before = await runCli(['lint', '--format', 'json'], { cwd: root, env: simEnv(sim.url) });
      const beforeCodes = (JSON.parse(before.stdout).diagnostics as Array<{ code: string }>).map((diagnostic) => diagnostic.code);
      expect(beforeCodes).toContain('mcp/unverified');
      expect(beforeCodes).toContain('ref/mcp-server');

      const priced = async () => JSON.parse((await runCli(['estimate', 'agents/adder.yaml', '--format', 'json', '--no-history'], { cwd: root, env: simEnv(sim.url) })).stdout).totalUsd.low as number;
      await writeFile(join(root, 'agents/adder.yaml'), agentYaml('adder', { tools: ['everything.get-sum'] }));
      const lowUncached = await priced();

      const listed = await runCli(['mcp', 'list', 'everything', '--json'], { cwd: root, env: simEnv(sim.url) });
      expect(listed.code).toBe(0);
      const tools = JSON.parse(listed.stdout).servers[0].tools as Array<{ name: string; inputSchema: unknown }>;
      expect(tools.map((tool) => tool.name)).toContain('get-sum');
      const cache = JSON.parse(await readFile(join(root, '.agentpipe-mcp-tools.json'), 'utf8'));
      expect(cache.servers.everything.tools.length).toBe(tools.length);
      // With the cached schema (descriptions of a and b), the floor counts the definition really sent.
      expect(await priced()).toBeGreaterThan(lowUncached);

      await writeFile(join(root, 'agents/adder.yaml'), agentYaml('adder', { tools: ['everything.get-sum', 'everything.get-summ'] }));
      const after = await runCli(['lint', '--format', 'json'], { cwd: root, env: simEnv(sim.url) });
      const diagnostics = JSON.parse(after.stdout).diagnostics as Array<{ code: string; message: string }>;
      expect(diagnostics.map((diagnostic) => diagnostic.code)).not.toContain('mcp/unverified');
      const unknown = diagnostics.find((diagnostic) => diagnostic.code === 'ref/mcp-tool');
      expect(unknown?.message).toContain('offers no tool `get-summ`');
      expect(unknown?.message).toContain('get-sum');
      expect(after.code).toBe(2);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('MCP results and progress', { timeout: 120_000 }, () => {
  it('caps a large result at max_output; a long tool that reports progress outlives the timeout', async () => {
    const root = await makeProject({
      'tools.yaml': mcpTools(stdioServer('everything', [everything, 'stdio'], ', timeout: 1500ms, max_output: 1KB')),
      'agents/caller.yaml': agentYaml('caller', { model: 'gemini/gemini-test', tools: ['everything.echo', 'everything.trigger-long-running-operation'] }),
    });
    try {
      const first = sim.requests.length;
      sim.enqueue(
        { toolCalls: [{ name: 'everything__echo', input: { message: 'x'.repeat(5000) } }, { name: 'everything__trigger-long-running-operation', input: { duration: 3, steps: 6 } }], usage: { input: 10, output: 2 } },
        { text: 'done', usage: { input: 10, output: 2 } },
      );
      const result = await runCli(['run', 'agents/caller.yaml', '--input', 'task=x'], { cwd: root, env: simEnv(sim.url) });
      expect(result.code).toBe(0);
      const toolTurn = JSON.stringify(sim.requests[first + 1]!.body);
      const echoed = /Echo: (x*)/.exec(toolTurn)?.[1] ?? '';
      expect(echoed.length).toBeGreaterThan(900);
      expect(echoed.length).toBeLessThan(1024);
      expect(toolTurn).toContain('result truncated at 1024 bytes');
      // 3 s of work against a 1.5 s timeout: only progress notifications keep the call alive.
      expect(toolTurn).toContain('Long running operation completed');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
