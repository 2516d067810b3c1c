import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { agentYaml, makeProject, onlyRunId, readJsonLines, runCli, simEnv } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});

const protocols = [
  { api: 'anthropic', model: 'anthropic/claude-test' },
  { api: 'openai', model: 'openai/gpt-test' },
  { api: 'gemini', model: 'gemini/gemini-test' },
  { api: 'ollama', model: 'ollama/llama-test' },
] as const;

describe('a single agent reads, greps and edits files through tool calls', () => {
  for (const { api, model } of protocols) {
    it(`over the ${api} protocol`, async () => {
      const root = await makeProject({
        'agents/fixer.yaml': agentYaml('fixer', { model, tools: ['read', 'grep', 'edit'] }),
        'src/app.ts': 'export const greeting = "helo";\n',
      });
      try {
        const first = sim.requests.length;
        sim.enqueue(
          { toolCalls: [{ name: 'read', input: { path: 'src/app.ts' } }, { name: 'grep', input: { pattern: 'helo' } }], usage: { input: 100, output: 20 } },
          { toolCalls: [{ name: 'edit', input: { path: 'src/app.ts', old_string: 'helo', new_string: 'hello' } }], usage: { input: 150, output: 20 } },
          { text: 'Fixed the typo in src/app.ts.', usage: { input: 200, output: 10 } },
        );
        const result = await runCli(['run', 'agents/fixer.yaml', '--input', 'task=fix the typo'], { cwd: root, env: simEnv(sim.url) });
        expect(result.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
        expect(result.code).toBe(0);
        expect(result.stdout).toContain('Fixed the typo in src/app.ts.');
        expect(await readFile(join(root, 'src/app.ts'), 'utf8')).toBe('export const greeting = "hello";\n');

        const requests = sim.requests.slice(first);
        expect(requests.map((request) => request.api)).toEqual([api, api, api]);
        // The second request carries both tool results back to the model.
        const second = JSON.stringify(requests[1]!.body);
        expect(second).toContain('export const greeting');
        expect(second).toContain('src/app.ts:1:');

        const runId = await onlyRunId(root);
        const audit = await readJsonLines(join(root, '.agentpipe/runs', runId, 'audit.jsonl'));
        // read and grep were asked for in one turn and run in parallel: either may finish first.
        const decisions = audit.map((record) => `${String(record['tool'])}:${String(record['decision'])}`);
        expect(decisions.slice(0, 2).sort()).toEqual(['grep:allowed', 'read:allowed']);
        expect(decisions.slice(2)).toEqual(['edit:allowed']);
        const state = JSON.parse(await readFile(join(root, '.agentpipe/runs', runId, 'run.json'), 'utf8'));
        expect(state.status).toBe('succeeded');
        expect(state.ledger.entries).toHaveLength(3);
        expect(state.ledger.entries.every((entry: { model: string }) => entry.model === model)).toBe(true);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    });
  }
});
