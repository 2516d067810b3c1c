// Progress names the model a step really calls: with no Anthropic key, a route that starts with an
// Anthropic model starts the step on the next model that has its key, and says so. A setting that
// model drops is one warning for the run, not one per call.

import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { agentYaml, fakeKeys, makeProject, providersYaml, runCli, simEnv } from './helpers.js';

let sim: Simulator;
let root: string;
beforeAll(async () => {
  sim = await startSimulator();
  root = await makeProject({
    'agents/worker.yaml': agentYaml('worker', { tools: ['read'], model: 'reasoning' }).replace('model: reasoning', 'model: reasoning\nparams: { max_tokens: 100, temperature: 0.3 }'),
    // A reasoning model rejects temperature: the adapter drops it with a warning.
    'providers.yaml': providersYaml('').replace('routes:\n', 'routes:\n  reasoning: [anthropic/claude-test, openai/o4-test]\n').replace('models:\n', 'models:\n  openai/o4-test: { pricing: { input: 1, output: 4 } }\n'),
  });
});
afterAll(async () => {
  await sim.close();
  await rm(root, { recursive: true, force: true });
});

test('step-start names the first model with a key; a dropped setting warns once per run', async () => {
  // Two calls: a tool call, then the answer.
  sim.enqueue({ toolCalls: [{ name: 'read', input: { path: 'providers.yaml' } }] }, { text: 'done' });
  const result = await runCli(['run', 'agents/worker.yaml', '--json', '--input', 'task=x'], { cwd: root, env: simEnv(sim.url, { OPENAI_API_KEY: fakeKeys.OPENAI_API_KEY }) });
  expect(result.stdout, result.stderr).not.toBe('');
  const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(events.find((event) => event.type === 'step-start'), result.stderr).toMatchObject({ model: 'openai/o4-test' });
  expect(events.filter((event) => event.type === 'model-call').length).toBe(2);
  const warnings = events.filter((event) => event.type === 'warning' && String(event.message).includes('temperature'));
  expect(warnings).toHaveLength(1);
});
