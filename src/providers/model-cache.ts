// Per-run state the chain needs across calls: one adapter (and SDK client) per model, the set of
// models that hit a rate limit and are cooling down for the rest of the run, and the call warnings
// already reported (an agent loop makes the same call twenty times; one warning says it).

import type { ModelSpec } from '../compile/ir.js';
import type { LanguageModel } from './types.js';
import { createLanguageModel, providerKeyStatus, type ProviderKeyStatus } from './registry.js';

export class ModelCache {
  private readonly models = new Map<string, LanguageModel>();
  private readonly cooling = new Set<string>();
  private readonly warned = new Set<string>();

  constructor(
    readonly env: NodeJS.ProcessEnv = process.env,
    private readonly factory: (spec: ModelSpec, env: NodeJS.ProcessEnv) => LanguageModel = createLanguageModel,
  ) {}

  get(spec: ModelSpec): LanguageModel {
    let model = this.models.get(spec.ref.id);
    if (!model) {
      model = this.factory(spec, this.env);
      this.models.set(spec.ref.id, model);
    }
    return model;
  }

  keyStatus(spec: ModelSpec): ProviderKeyStatus {
    return providerKeyStatus(spec.provider, this.env);
  }

  coolDown(modelId: string): void {
    this.cooling.add(modelId);
  }

  isCooling(modelId: string): boolean {
    return this.cooling.has(modelId);
  }

  /** True the first time this model reports this warning in the run. */
  firstWarning(modelId: string, message: string): boolean {
    const key = `${modelId}\n${message}`;
    if (this.warned.has(key)) return false;
    this.warned.add(key);
    return true;
  }
}
