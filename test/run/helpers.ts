// Builders for compiled IR and fake runtime ports: the run stage tested without providers or compile.

import type { CompiledAgent, CompiledPipeline, CompiledStep, ModelSpec } from '../../src/compile/ir.js';
import { emptyUsage, type CallOptions, type GenerateResult, type Usage } from '../../src/providers/types.js';
import type { ChainHooks, RuntimePorts } from '../../src/run/ports.js';
import type { TemplateContext } from '../../src/run/pipeline.js';

export const modelSpec: ModelSpec = {
  ref: { provider: 'sim', model: 'm1', id: 'sim/m1' },
  provider: { name: 'sim', type: 'openai-compatible', baseUrl: 'http://127.0.0.1:1/v1' },
  pricing: { input: 1, output: 1 },
};

export function agent(name: string, overrides: Partial<CompiledAgent> = {}): CompiledAgent {
  return {
    name,
    source: { file: `agents/${name}.yaml`, line: 1 },
    inputs: {},
    prompt: { system: [], user: { template: '{{inputs.q}}', source: { file: `agents/${name}.yaml`, line: 1 } }, partials: {} },
    chain: { name: 'sim/m1', models: [modelSpec], retry: { attempts: 1, initialDelayMs: 0, maxDelayMs: 0, honorRetryAfter: false }, fallbackOn: [], rateLimits: {} },
    params: { maxTokens: 100 },
    toolSet: {
      workspace: '/tmp',
      tools: [],
      permissions: {
        read: { allow: [], deny: [], maxBytes: 1000 },
        write: { allow: [], deny: [], maxBytes: 1000 },
        bash: { allow: [], deny: [], timeoutMs: 1000, maxOutputBytes: 1000, env: [], shell: false, expose: [], sandbox: 'auto', allowHosts: [] },
        http: { allowHosts: [], denyHosts: [], timeoutMs: 1000, maxBytes: 1000, maxRedirects: 0 },
      },
    },
    search: { mode: 'never', maxResults: 0, maxTokens: 0, provider: { name: 'ddg', type: 'duckduckgo' } },
    limits: { maxIterations: 5 },
    ...overrides,
  };
}

export function step(id: string, overrides: Partial<CompiledStep> = {}): CompiledStep {
  return { id, source: { file: 'templates/t.yaml', line: 1 }, agent: agent(`agent_${id}`), needs: [], with: {}, concurrency: 4, limits: { maxIterations: 5 }, ...overrides };
}

export function pipeline(root: string, steps: CompiledStep[], overrides: Partial<CompiledPipeline> = {}): CompiledPipeline {
  return { kind: 'template', name: 't', source: { file: 'templates/t.yaml', line: 1 }, inputs: {}, steps, levels: [], concurrency: 8, limits: {}, outputs: {}, root, ...overrides };
}

export const usage = (input: number, output: number): Usage => ({ ...emptyUsage(), inputTokens: input, outputTokens: output });

export const textResult = (text: string, tokens = 10): GenerateResult => ({ content: [{ type: 'text', text }], finishReason: 'stop', usage: usage(tokens, tokens), warnings: [] });

/** Calls seen by the fake chain: the step label is the first line of the user prompt. */
export interface FakeCall {
  stepId: string;
  options: CallOptions;
}

/**
 * Ports where the prompt's user text is `<step id>|<json of with-context>` and `answer` decides
 * what the model says. Prices 1 token = $0.001.
 */
export function fakePorts(answer: (call: FakeCall, hooks: ChainHooks) => Promise<GenerateResult> | GenerateResult, calls: FakeCall[] = []): RuntimePorts {
  return {
    renderPrompt(step, context: TemplateContext) {
      const item = context.itemIndex === undefined ? '' : `[${context.itemIndex}]`;
      return { system: [{ text: 'sys' }], user: `${step.id}${item}|${JSON.stringify({ item: context.item, steps: context.steps })}` };
    },
    evaluateWhen(step, context) {
      return !['', 'false', '0', 'null'].includes(this.render(step.when ?? 'true', context, step.source).trim());
    },
    render(template, context) {
      // Enough of Handlebars for the tests: {{steps.<id>.output}} and literals.
      return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_match, path: string) => {
        let value: unknown = context;
        for (const key of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[key];
        return typeof value === 'string' ? value : JSON.stringify(value ?? null);
      });
    },
    async callChain(_chain, options, hooks) {
      const first = options.messages[0];
      const stepId = first?.role === 'user' ? (first.content.split('|')[0] ?? '') : '';
      const call = { stepId, options };
      calls.push(call);
      const result = await answer(call, hooks);
      return { result, model: modelSpec };
    },
    price: (_model, used) => (used.inputTokens + used.outputTokens) / 1000,
    toolDefinitions: (toolSet) => toolSet.tools.map((tool) => ({ name: tool.name, description: tool.name, inputSchema: { type: 'object' } })),
    async executeTool(_toolSet, call) {
      return { toolCallId: call.toolCallId, toolName: call.toolName, output: `ran ${call.toolName}` };
    },
  };
}
