// The real wiring of RuntimePorts: compile's prompt rendering, the provider chain (streaming, with
// retry, fallback and cooldown), search augmentation, the tools engine and the cost module.
// One instance per run: it holds the run's MCP servers and search cache, and its adapters and
// cooldowns unless the caller shares those across runs (`models`).

import { evaluateWhen, renderPrompt, renderTemplate } from '../compile/prompt.js';
import type { LanguageModel } from '../providers/types.js';
import type { ModelSpec, SearchProviderSpec, SearchSettings, ToolSet } from '../compile/ir.js';
import type { ConnectOptions } from '../mcp/connection.js';
import type { McpManager } from '../mcp/manager.js';
import { streamWithChain } from '../providers/chain.js';
import { NoRateLimits } from '../providers/rate-limit.js';
import { ModelCache } from '../providers/model-cache.js';
import { createSearchCache, createSearchProvider, webSearchTool, withSearch, type SearchProvider } from '../search/index.js';
import { executeToolCall, toolDefinitions } from '../tools/index.js';
import type { EventSink } from './events.js';
import type { ChainHooks, RuntimePorts } from './ports.js';
import type { TemplateContext } from './pipeline.js';
import { priceUsage } from '../cost/price.js';
import type { CassetteWiring } from './cassette.js';
import { createAugment, type MemoryWiring } from '../memory/runtime.js';

/** Shares the run's adapters and cooldowns, but hands the chain each model wrapped (search, cassette). */
class WrappedModelCache extends ModelCache {
  constructor(
    private readonly base: ModelCache,
    private readonly wrap: (model: LanguageModel, spec: ModelSpec) => LanguageModel,
  ) {
    super(base.env);
  }
  override get(spec: ModelSpec): LanguageModel {
    return this.wrap(this.base.get(spec), spec);
  }
  override keyStatus(spec: ModelSpec) {
    return this.base.keyStatus(spec);
  }
  override coolDown(modelId: string): void {
    this.base.coolDown(modelId);
  }
  override isCooling(modelId: string): boolean {
    return this.base.isCooling(modelId);
  }
  override firstWarning(modelId: string, message: string): boolean {
    return this.base.firstWarning(modelId, message);
  }
}

const renderContext = (context: TemplateContext) => ({
  inputs: context.inputs,
  steps: context.steps,
  ...(context.item === undefined ? {} : { item: context.item }),
  ...(context.itemIndex === undefined ? {} : { itemIndex: context.itemIndex }),
  run: context.run,
  today: context.today,
});

export interface DefaultPortsOptions {
  /** `run --record` / `--replay`: model calls go to or come from a cassette. */
  cassette?: CassetteWiring;
  /** `run --sim`: the models answer from the built-in simulator (run/simulated.ts), at $0. */
  simulated?: { models: ModelCache };
  /** The open store and thread for agents with knowledge or memory (and `run --thread`). */
  memory?: MemoryWiring;
  /** Knowledge and facts shared by the runs of a long-lived process (src/memory/shared.ts), when `memory` is not given. */
  augment?: RuntimePorts['augment'];
  /** How MCP servers start: the sandbox wrapper, where their stderr goes. */
  mcp?: Omit<ConnectOptions, 'cwd' | 'env'>;
  /**
   * Adapters and cooldowns shared with other runs (the rows of a batch, the jobs of a worker): each
   * run gets ports of its own, so its MCP servers stop when it ends, but all reuse one set of clients.
   */
  models?: ModelCache;
}

const noRateLimits = new NoRateLimits();

export function createDefaultPorts(env: NodeJS.ProcessEnv, options: DefaultPortsOptions = {}): RuntimePorts {
  const { cassette } = options;
  // Started on the first step whose agent lists an MCP tool; the SDK is not loaded before.
  let mcp: Promise<McpManager> | undefined;
  const mcpManager = (): Promise<McpManager> => {
    mcp ??= import('../mcp/manager.js').then(({ McpManager }) => new McpManager({ env, ...options.mcp }));
    return mcp;
  };
  const usesMcp = (toolSet: ToolSet): boolean => toolSet.tools.some((tool) => tool.kind === 'mcp');
  const models = cassette ? cassette.createModels(env) : (options.simulated?.models ?? options.models ?? new ModelCache(env));
  const simulated = options.simulated !== undefined;
  const searchCache = createSearchCache();
  const searchProviders = new Map<string, SearchProvider>();
  const providerFor = (spec: SearchProviderSpec): SearchProvider => {
    let provider = searchProviders.get(spec.name);
    if (!provider) {
      provider = createSearchProvider(spec, env);
      searchProviders.set(spec.name, provider);
    }
    return provider;
  };

  return {
    ...(options.memory ? { augment: createAugment(options.memory) } : options.augment ? { augment: options.augment } : {}),
    renderPrompt: (step, context) => renderPrompt(step, renderContext(context)),
    evaluateWhen: (step, context) => evaluateWhen(step, renderContext(context)),
    render: (template, context, source) => renderTemplate(template, renderContext(context), source),
    async callChain(chain, callOptions, hooks: ChainHooks) {
      const search = hooks.wrapModel;
      const wrap = cassette ? (model: LanguageModel, spec: ModelSpec) => cassette.wrapModel(model, spec, search) : search;
      const cache = wrap ? new WrappedModelCache(models, wrap) : models;
      // A simulated call reaches no provider: the providers' rate limits do not apply to it.
      const stream = streamWithChain(chain, callOptions, { emit: hooks.emit, models: cache, signal: hooks.signal, ...(simulated ? { rateLimiter: noRateLimits } : {}), ...cassette?.chainOptions });
      try {
        let part = await stream.next();
        while (!part.done) {
          if (part.value.type === 'text-delta') hooks.onTextDelta(part.value.delta);
          part = await stream.next();
        }
        return { result: part.value.value, model: part.value.model };
      } catch (error) {
        throw cassette ? cassette.chainFailure(error, chain) : error;
      }
    },
    price: (model, usage) => (simulated ? 0 : priceUsage(usage, model.pricing)),
    firstUsableModel: (chain) => chain.models.find((spec) => models.keyStatus(spec).isSet && !models.isCooling(spec.ref.id))?.ref.id,
    ...(simulated ? { simulated: true } : {}),
    async toolDefinitions(toolSet) {
      return toolDefinitions(usesMcp(toolSet) ? await (await mcpManager()).expand(toolSet) : toolSet);
    },
    async executeTool(toolSet, call, context) {
      if (!usesMcp(toolSet)) return executeToolCall(toolSet, call, context);
      const manager = await mcpManager();
      return executeToolCall(await manager.expanded(toolSet), call, { ...context, mcp: manager });
    },
    async dispose() {
      if (mcp) await (await mcp).close();
    },
    search(settings: SearchSettings, emit: EventSink) {
      let provider: SearchProvider;
      try {
        provider = providerFor(settings.provider);
      } catch (error) {
        emit({ type: 'warning', message: `web search unavailable: ${error instanceof Error ? error.message : String(error)}` });
        return {};
      }
      const tool = webSearchTool(provider, { maxResults: settings.maxResults });
      return {
        ...(settings.mode === 'never' ? {} : { wrapModel: (model: LanguageModel) => withSearch(model, settings, { provider, emit, cache: searchCache }) }),
        webSearch: (input) => tool.execute({ query: input.query, ...(input.maxResults === undefined ? {} : { max_results: input.maxResults }) }),
      };
    },
  };
}
