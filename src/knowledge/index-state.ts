// Whether an agent's index matches its sources: a file is current when its content hash and the
// embedding model it was embedded with both match; anything else must be (re-)embedded.

import type { KnowledgeSettings } from '../compile/ir.js';
import type { IndexedFile, KnowledgeStore } from '../store/types.js';
import type { SourceFile } from './sources.js';

export interface IndexPlan {
  /** `provider/model` the index is (to be) embedded with: the chain's first model. */
  embeddingModel: string;
  added: SourceFile[];
  changed: SourceFile[];
  unchanged: SourceFile[];
  /** Indexed files no longer among the sources (deleted, or now denied). */
  removed: IndexedFile[];
}

export function planIndex(knowledge: KnowledgeSettings, files: SourceFile[], store: KnowledgeStore): IndexPlan {
  const embeddingModel = knowledge.embedding.models[0]?.ref.id ?? knowledge.embedding.name;
  const indexed = store.files(knowledge.index);
  const plan: IndexPlan = { embeddingModel, added: [], changed: [], unchanged: [], removed: [] };
  for (const file of files) {
    const stored = indexed.get(file.path);
    if (!stored) plan.added.push(file);
    // A file embedded by a fallback model counts as current: its vectors came from the same chain.
    else if (stored.contentHash !== file.contentHash || !knowledge.embedding.models.some((model) => model.ref.id === stored.embeddingModel)) plan.changed.push(file);
    else plan.unchanged.push(file);
    indexed.delete(file.path);
  }
  plan.removed = [...indexed.values()];
  return plan;
}

export const isStale = (plan: IndexPlan): boolean => plan.added.length + plan.changed.length + plan.removed.length > 0;

/** `2 new, 1 changed, 1 removed (docs/a.md, docs/b.md, …)`. */
export function describeStaleness(plan: IndexPlan): string {
  const parts = [
    plan.added.length ? `${plan.added.length} new` : '',
    plan.changed.length ? `${plan.changed.length} changed` : '',
    plan.removed.length ? `${plan.removed.length} removed` : '',
  ].filter(Boolean);
  const paths = [...plan.added, ...plan.changed, ...plan.removed].map((file) => file.path);
  const shown = paths.slice(0, 3).join(', ') + (paths.length > 3 ? ', …' : '');
  return `${parts.join(', ')} file(s) (${shown})`;
}
