// Every provider preset in the shipped providers.yaml (the four native ones, LM Studio, DeepSeek and
// Hugging Face Inference Providers) lints and answers one run through its real adapter and SDK against
// the simulator; and no example agent sets a parameter that a model of its route drops.

import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { makeProject, repoRoot, runCli } from './helpers.js';
import { loadProject } from '../../src/load/index.js';
import { validateProjectOrThrow } from '../../src/validate/index.js';
import { compile } from '../../src/compile/compile.js';
import { toAnthropicRequest } from '../../src/providers/anthropic/convert-prompt.js';
import { toOpenAIRequest } from '../../src/providers/openai/convert-prompt.js';
import { toGeminiRequest } from '../../src/providers/gemini/convert-prompt.js';
import { toOllamaRequest } from '../../src/providers/ollama/convert-prompt.js';
import type { CallOptions, CallWarning } from '../../src/providers/types.js';
import type { ProviderType } from '../../src/compile/ir.js';

const shipped = load(readFileSync(join(repoRoot, 'providers.yaml'), 'utf8')) as { providers: Record<string, { type: string }>; models: Record<string, unknown> };
const presets = Object.keys(shipped.providers).map((name) => {
  const model = Object.keys(shipped.models).find((id) => id.startsWith(`${name}/`));
  return [name, model] as const;
});

let root: string;
beforeAll(async () => {
  root = await makeProject({});
  for (const path of ['providers.yaml', 'tools.yaml', 'agents', 'templates']) await cp(join(repoRoot, path), join(root, path), { recursive: true });
});
afterAll(() => rm(root, { recursive: true, force: true }));

const freshEnv = () => ({ PATH: process.env['PATH'], HOME: process.env['HOME'], OLLAMA_HOST: 'http://127.0.0.1:9' });

test('the shipped presets include Hugging Face Inference Providers on its router, keyed by HF_TOKEN', () => {
  expect(shipped.providers['huggingface']).toMatchObject({ type: 'openai-compatible', base_url: 'https://router.huggingface.co/v1', api_key_env: 'HF_TOKEN' });
  for (const name of ['anthropic', 'openai', 'gemini', 'ollama', 'lmstudio', 'deepseek', 'huggingface']) expect(presets.map(([preset]) => preset)).toContain(name);
});

test('the shipped providers.yaml lints clean', async () => {
  const result = await runCli(['lint', 'providers.yaml'], { cwd: root, env: freshEnv() });
  expect(result.stdout).toMatch(/^no problems in 1 file$/m);
  expect(result.code).toBe(0);
});

describe.each(presets)('preset %s', (name, model) => {
  test('runs once against the simulator through its adapter', async () => {
    expect(model, `a model of ${name} in providers.yaml`).toBeDefined();
    const result = await runCli(['run', 'agents/summariser.yaml', '--sim', '--json', '--model', model!, '--input', 'text=Hello there.'], { cwd: root, env: freshEnv() });
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.find((event) => event.type === 'model-call'), result.stderr).toMatchObject({ model });
    expect(events.at(-1)).toMatchObject({ type: 'run-result', status: 'succeeded', costUsd: 0 });
  });
});

test('no example agent sets a parameter that a model of its route drops', async () => {
  const config = await validateProjectOrThrow(await loadProject({ cwd: repoRoot, env: {} }));
  const converters: Record<ProviderType, (model: string, options: CallOptions) => CallWarning[]> = {
    anthropic: (model, options) => toAnthropicRequest(model, options).warnings,
    openai: (model, options) => toOpenAIRequest(model, options, { compatible: false }).warnings,
    'openai-compatible': (model, options) => toOpenAIRequest(model, options, { compatible: true }).warnings,
    gemini: (model, options) => toGeminiRequest(model, options).warnings,
    ollama: (model, options) => toOllamaRequest(model, options).warnings,
  };
  let checked = 0;
  for (const name of config.agents.keys()) {
    for (const step of compile(config, `agents/${name}.yaml`).steps) {
      const { params } = step.agent;
      const options: CallOptions = {
        system: [],
        messages: [{ role: 'user', content: 'x' }],
        maxTokens: params.maxTokens,
        ...(params.temperature === undefined ? {} : { temperature: params.temperature }),
        ...(params.topP === undefined ? {} : { topP: params.topP }),
        ...(params.stop ? { stopSequences: params.stop } : {}),
      };
      for (const spec of step.agent.chain.models) {
        const dropped = converters[spec.provider.type](spec.ref.model, options).filter((warning) => warning.type === 'unsupported-setting');
        expect(dropped, `${name} on ${spec.ref.id}`).toEqual([]);
        checked++;
      }
    }
  }
  expect(checked).toBeGreaterThan(10);
});
