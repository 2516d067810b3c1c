// `run --sim`: every model of every chain is answered by the built-in wire simulator (src/sim), in
// this process, through the real adapters and SDKs. No key, no server, no network beyond 127.0.0.1.
// Answers fit each agent's output schema and tools get one plausible call (src/sim/generate.ts).
// Every call costs $0 and is marked simulated in the events, the ledger and the run state.

import type { ModelSpec, ProviderSpec } from '../compile/ir.js';
import { ModelCache } from '../providers/model-cache.js';
import { createEmbeddingModel, createLanguageModel, type ProviderKeyStatus } from '../providers/registry.js';
import { EmbeddingModelCache } from '../providers/embed-chain.js';
import type { LanguageModel } from '../providers/types.js';
import type { Simulator } from '../sim/index.js';
import { simSchemaMarker } from '../sim/generate.js';

/** Not a secret: the simulator accepts any key, and the SDKs want a non-empty one. */
const simulatedKeyEnv = 'AGENTPIPE_SIMULATED_KEY';
/** A value no output contains by chance: it is redacted like any key, so it must not be a word (not 'simulated'). */
const simulatedKey = 'agentpipe-sim-7d1f0c93b2e84a56';

function simulatedProvider(provider: ProviderSpec, url: string): ProviderSpec {
  const wantsV1 = provider.type === 'openai' || provider.type === 'openai-compatible';
  return { ...provider, baseUrl: wantsV1 ? `${url}/v1` : url, apiKeyEnv: simulatedKeyEnv };
}

/** A run's model cache whose adapters all talk to the simulator and whose keys are always "set". */
class SimulatedModelCache extends ModelCache {
  constructor(private readonly url: string) {
    super({ [simulatedKeyEnv]: simulatedKey }, (spec, env) => statingSchema(createLanguageModel({ ...spec, provider: simulatedProvider(spec.provider, url) }, env)));
  }
  override keyStatus(_spec: ModelSpec): ProviderKeyStatus {
    return { envVars: [], required: false, isSet: true, baseUrl: this.url };
  }
}

/** Adds the output schema as a marked system part, for the simulator to read when the vendor field is absent. */
function statingSchema(model: LanguageModel): LanguageModel {
  const withSchema = <T extends Parameters<LanguageModel['generate']>[0]>(options: T): T =>
    options.responseFormat ? { ...options, system: [...options.system, { text: `${simSchemaMarker}${JSON.stringify(options.responseFormat.schema)}` }] } : options;
  return { provider: model.provider, modelId: model.modelId, generate: (options) => model.generate(withSchema(options)), stream: (options) => model.stream(withSchema(options)) };
}

export interface SimulatedRuntime {
  models: ModelCache;
  /** Embedding adapters pointed at the simulator too (knowledge and memory facts). */
  embeddingModels: EmbeddingModelCache;
  close(): Promise<void>;
}

export async function startSimulatedRuntime(): Promise<SimulatedRuntime> {
  const { startSimulator } = await import('../sim/index.js');
  const simulator: Simulator = await startSimulator({ generateToolCalls: true });
  const embeddingModels = new EmbeddingModelCache({ [simulatedKeyEnv]: simulatedKey }, (spec, env) => createEmbeddingModel({ ...spec, provider: simulatedProvider(spec.provider, simulator.url) }, env));
  return { models: new SimulatedModelCache(simulator.url), embeddingModels, close: () => simulator.close() };
}
