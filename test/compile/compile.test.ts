import { keyEnvVarsFor } from '../../src/providers/key-env.js';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/compile.js';
import { ConfigError } from '../../src/errors.js';
import { basicFixture, loadFixtureProject } from './project.js';

describe('compile', () => {
  it('compiles a single agent into a one-step pipeline', async () => {
    const config = await loadFixtureProject(basicFixture);
    const pipeline = compile(config, { kind: 'agent', name: 'analyst' });
    expect(pipeline.kind).toBe('agent');
    expect(pipeline.levels).toEqual([['analyst']]);
    const step = pipeline.steps[0]!;
    expect(step.with).toEqual({ question: '{{inputs.question}}', style: '{{inputs.style}}' });
    expect(Object.isFrozen(step.agent.chain.models)).toBe(true);
    expect(pipeline.inputs['style']).toMatchObject({ required: false, default: 'plain' });
  });

  it('resolves the route into priced models with policy defaults filled in', async () => {
    const config = await loadFixtureProject(basicFixture, { TEST_OLLAMA_HOST: 'http://127.0.0.1:9999' });
    const agent = compile(config, 'agents/analyst.yaml', { cwd: basicFixture }).steps[0]!.agent;
    const [first, second] = agent.chain.models;
    expect(first).toMatchObject({ ref: { id: 'anthropic/claude-test' }, pricing: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 }, contextWindow: 200000 });
    // No api_key_env written: the provider type's default env vars apply (providers/key-env.ts).
    expect(first!.provider).toMatchObject({ name: 'anthropic', type: 'anthropic', timeoutMs: 120000 });
    expect(keyEnvVarsFor(first!.provider)).toEqual(['ANTHROPIC_API_KEY']);
    expect(keyEnvVarsFor(second!.provider)).toEqual(['OPENAI_API_KEY']);
    expect(keyEnvVarsFor({ type: 'gemini' })).toEqual(['GOOGLE_API_KEY', 'GEMINI_API_KEY']);
    expect(keyEnvVarsFor({ type: 'gemini', apiKeyEnv: 'MY_GEMINI' })).toEqual(['MY_GEMINI']);
    expect(agent.chain.retry).toEqual({ attempts: 4, initialDelayMs: 250, maxDelayMs: 20000, honorRetryAfter: true });
    expect(agent.chain.fallbackOn).toEqual(['rate_limited', 'overloaded', 'server_error', 'timeout', 'network', 'unavailable']);
    expect(agent.chain.rateLimits).toEqual({ anthropic: { rpm: 50, tpm: 40000 } });
    expect(agent.limits.maxIterations).toBe(10);
    expect(agent.search).toMatchObject({ mode: 'auto', maxResults: 4, maxTokens: 1500, provider: { type: 'duckduckgo', region: 'wt-wt' } });
  });

  it('marks layers cacheable only when they read no per-run variable', async () => {
    const config = await loadFixtureProject(basicFixture);
    const prompt = compile(config, { kind: 'agent', name: 'analyst' }).steps[0]!.agent.prompt;
    expect(prompt.system.map((part) => [part.name, part.cacheable])).toEqual([
      ['persona/analyst', true],
      ['policy/dated', false],
      ['analyst', false],
    ]);
    expect(prompt.system[0]!.source).toEqual({ file: 'agents/layers/persona/analyst.yaml', line: 4 });
    expect(Object.keys(prompt.partials).sort()).toEqual(['persona/analyst', 'policy/dated', 'policy/safety']);
  });

  it('narrows tool permissions and binds the workspace', async () => {
    const config = await loadFixtureProject(basicFixture);
    const toolSet = compile(config, { kind: 'agent', name: 'analyst' }).steps[0]!.agent.toolSet;
    expect(toolSet.workspace.endsWith('/basic/work')).toBe(true);
    expect(toolSet.tools.map((tool) => tool.name)).toEqual(['read', 'grep']);
    expect(toolSet.permissions.read).toEqual({ allow: ['docs/**'], deny: ['.git/**'], maxBytes: 1024 * 1024 });
    expect(toolSet.permissions.http.allowHosts).toEqual([]);
    const writer = compile(config, { kind: 'agent', name: 'writer' }).steps[0]!.agent;
    expect(writer.toolSet.tools).toEqual([]);
  });

  it('builds the step DAG with levels, fan-out and step model override', async () => {
    const config = await loadFixtureProject(basicFixture);
    const pipeline = compile(config, { kind: 'template', name: 'report' });
    expect(pipeline.levels).toEqual([['research'], ['sections'], ['final']]);
    const [research, sections, final] = pipeline.steps;
    expect(sections!.forEach).toBe('inputs.parts');
    expect(sections!.concurrency).toBe(4);
    expect(final!.agent.chain.name).toBe('default');
    expect(sections!.agent.chain.name).toBe('local');
    expect(research!.with).toEqual({ question: 'Key facts about {{inputs.topic}}' });
    expect(pipeline.limits).toEqual({ maxCostUsd: 2 });
  });

  it('applies a --model override to every step', async () => {
    const config = await loadFixtureProject(basicFixture);
    const pipeline = compile(config, { kind: 'template', name: 'report' }, { modelOverride: 'openai/gpt-4o' });
    expect(pipeline.steps.map((step) => step.agent.chain.models.map((model) => model.ref.id))).toEqual([['openai/gpt-4o'], ['openai/gpt-4o'], ['openai/gpt-4o']]);
  });

  it('rejects an unknown target with a usage error', async () => {
    const config = await loadFixtureProject(basicFixture);
    expect(() => compile(config, 'nope')).toThrow(/not an agent or template/);
  });

  it('reports a missing route model as a positioned ConfigError', async () => {
    const config = await loadFixtureProject(basicFixture);
    let error: unknown;
    try {
      compile(config, { kind: 'agent', name: 'analyst' }, { modelOverride: 'openai/gpt-9' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).diagnostics[0]).toMatchObject({ code: 'ref/model', file: 'agents/analyst.yaml', line: 4 });
  });
});
