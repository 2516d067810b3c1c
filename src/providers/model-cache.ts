// Per-run state the chain needs across calls: one adapter (and SDK client) per model, and the set of
// models that hit a rate limit and are cooling down for the rest of the run.

import type { ModelSpec } from '../compile/ir.js';
import type { LanguageModel } from './types.js';
import { createLanguageModel, providerKeyStatus, type ProviderKeyStatus } from './registry.js';

export class ModelCache {
  private readonly models = new Map<string, LanguageModel>();
  private readonly cooling = new Set<string>();

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
}
