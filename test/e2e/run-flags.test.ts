// `agentpipe run` flags and config the run itself checks: --resume takes no other target or inputs,
// --model and repeated --input are usage errors naming the flag, the plan shows inputs by type, a
// for_each over a non-array names where it is written, and provider_options reach the wire.

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimRequest, type Simulator } from '../../src/sim/index.js';
import { agentYaml, makeProject, onlyRunId, providersYaml, readRunState, runCli, simEnv } from './helpers.js';

const summariser = `version: 1
name: summariser
model: main
inputs:
  text: { type: string }
  bullets: { type: integer, default: 5 }
  strict: { type: boolean, default: false }
prompt:
  system: "Summarise in {{inputs.bullets}} bullets. MARK-summariser"
  user: "{{inputs.text}}"
`;

// Line 8, column 15 is where the for_each value starts.
const fanOut = `version: 1
name: fan
steps:
  - id: plan
    agent: worker
    with: { task: "plan it" }
  - id: write
    for_each: steps.plan.output.sections
    agent: worker
    needs: [plan]
    with: { task: "write {{item}}" }
  - id: review
    agent: worker
    needs: [write]
    with: { task: "review" }
`;

const tuned = (model: string) => `${agentYaml(`tuned_${model.split('/')[0]}`, { model })}provider_options:
  anthropic: { metadata: { user_id: "user-7" } }
  openai: { reasoning_effort: low }
  gemini: { thinkingConfig: { thinkingBudget: 0 } }
  ollama: { keep_alive: 5m, options: { num_ctx: 8192 } }
`;
const tunedModels = ['anthropic/claude-test', 'openai/o4-mini', 'gemini/gemini-test', 'ollama/llama-test'];

let sim: Simulator;
let root: string;
beforeAll(async () => {
  sim = await startSimulator({
    script: (request) => (JSON.stringify(request.body).includes('plan it') ? { text: '{"title": "T", "parts": ["a", "b"]}' } : { text: 'ok' }),
  });
  root = await makeProject({
    'providers.yaml': providersYaml().replace('models:\n', 'models:\n  openai/o4-mini: { pricing: { input: 1.10, output: 4.40 } }\n'),
    'agents/summariser.yaml': summariser,
    'agents/worker.yaml': agentYaml('worker'),
    'templates/fan.yaml': fanOut,
    ...Object.fromEntries(tunedModels.map((model) => [`agents/tuned_${model.split('/')[0]}.yaml`, tuned(model)])),
  });
});
afterAll(async () => {
  await sim.close();
  await rm(root, { recursive: true, force: true });
});
afterEach(async () => {
  await rm(join(root, '.agentpipe'), { recursive: true, force: true });
});

const run = (...args: string[]) => runCli(['run', ...args], { cwd: root, env: simEnv(sim.url) });

describe('usage errors name the flag (exit 2, nothing run)', () => {
  it('--resume with a different file, or with inputs, is refused; with its own file it resumes', async () => {
    expect((await run('templates/fan.yaml')).code).toBe(1);
    const runId = await onlyRunId(root);
    const calls = sim.requests.length;

    const other = await run('agents/summariser.yaml', '--resume', runId);
    expect(other.code).toBe(2);
    expect(other.stderr).toBe(`agentpipe: run ${runId} is a run of templates/fan.yaml, not agents/summariser.yaml; resume it with \`agentpipe run --resume ${runId}\`, or start a new run of agents/summariser.yaml without --resume\n`);
    const inputs = await run('--resume', runId, '--input', 'text=x');
    expect(inputs.code).toBe(2);
    expect(inputs.stderr).toMatch(/^agentpipe: --input cannot be used with --resume: run \S+ keeps the inputs it started with/);
    expect(sim.requests.length).toBe(calls);

    const same = await run('templates/fan.yaml', '--resume', runId);
    expect(same.stderr).toContain(`run ${runId}: template templates/fan.yaml (resumed)`);
  });

  it('--model that providers.yaml does not know is blamed on the flag, not on the agent file', async () => {
    const result = await run('agents/summariser.yaml', '--model', 'nope/x', '--input', 'text=a');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('agentpipe: --model nope/x: model "nope/x" names provider "nope", which providers.yaml does not define\n');
  });

  it('a repeated --input name is refused instead of keeping the last value', async () => {
    const result = await run('agents/summariser.yaml', '--input', 'text=a', '--input', 'text=b');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('agentpipe: --input text is given twice (text=a and text=b); give each input once\n');
  });
});

it('the dry-run plan prints each input by its type', async () => {
  const result = await run('agents/summariser.yaml', '--dry-run', '--input', 'text=a "quoted" text', '--input', 'bullets=3', '--input', 'strict=true');
  expect(result.code).toBe(0);
  expect(result.stdout.split('\n')[1]).toBe('  inputs: text="a \\"quoted\\" text", bullets=3, strict=true');
});

it('a for_each over something that is not an array names the template file:line:col, the path and what was found; dependants are skipped', async () => {
  const result = await run('templates/fan.yaml');
  expect(result.code).toBe(1);
  const error = 'templates/fan.yaml:8:15: step \'write\': for_each "steps.plan.output.sections" is not an array: steps.plan.output has no field "sections" (it has title, parts)';
  expect(result.stderr).toContain(`[write] failed: 0 tokens, $0.00, `);
  expect(result.stderr).toContain(`agentpipe: ${error}\n`);
  expect(result.stderr).toContain('[review] skipped (needs write, which failed)');
  expect(result.stderr).toMatch(/\n {2}review +skipped \(needs failed\) +0 tok/);
  const state = await readRunState(root, await onlyRunId(root));
  expect(state.steps.review).toMatchObject({ status: 'skipped', blockedBy: 'write' });
});

describe('provider_options reach the request body of each provider', () => {
  const expected: Record<string, (body: Record<string, unknown>) => void> = {
    anthropic: (body) => expect(body['metadata']).toEqual({ user_id: 'user-7' }),
    openai: (body) => expect(body['reasoning_effort']).toBe('low'),
    gemini: (body) => expect((body['generationConfig'] as Record<string, unknown>)['thinkingConfig']).toEqual({ thinkingBudget: 0 }),
    // Merged one level deep: the num_predict agentpipe sets stays.
    ollama: (body) => {
      expect(body['keep_alive']).toBe('5m');
      expect(body['options']).toMatchObject({ num_ctx: 8192, num_predict: 1024 });
    },
  };
  for (const model of tunedModels) {
    const provider = model.split('/')[0]!;
    it(provider, async () => {
      const first = sim.requests.length;
      const result = await run(`agents/tuned_${provider}.yaml`, '--input', 'task=x');
      expect(result.stderr).not.toMatch(/internal error/);
      expect(result.code).toBe(0);
      const requests: SimRequest[] = sim.requests.slice(first);
      expect(requests.map((request) => [request.api, request.status])).toEqual([[provider, 200]]);
      expected[provider]!(requests[0]!.body);
      // Each provider gets its own entry only.
      expect(JSON.stringify(requests[0]!.body)).not.toMatch(provider === 'openai' ? /user-7|keep_alive/ : /reasoning_effort/);
    });
  }
});
