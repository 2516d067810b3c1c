// An agent's `knowledge:` and `memory:`: every model they name exists and can embed (an embedding
// model is a models: entry whose pricing has output: 0, on a provider type with an embeddings API),
// the implicit tools are not also listed under tools:, and each source glob can match something
// the agent's read permissions allow (a denied file is never indexed, so a source that is denied
// as a whole is a mistake).

import { checkModelReference } from './check-providers.js';
import { report, type ValidationContext } from './context.js';
import type { AgentFile } from './types.gen.js';
import type { Checked } from './types.js';
import { implicitToolNames } from '../memory/tools.js';

/** Provider types without an embeddings API (Anthropic has none). Mirrors providers/registry.ts. */
const noEmbeddings = new Set(['anthropic']);

function checkEmbeddingModel(context: ValidationContext, checked: Checked<AgentFile>, path: string[], reference: string): void {
  const providers = context.providers?.value;
  checkModelReference(context, checked.source, path, reference);
  if (!providers) return;
  const ids = providers.routes?.[reference] ?? [reference];
  for (const id of ids) {
    const provider = providers.providers[id.slice(0, id.indexOf('/'))];
    if (provider && noEmbeddings.has(provider.type)) {
      report(context, checked.source, path, 'knowledge/embedding', `\`${id}\` cannot embed: provider type ${provider.type} has no embeddings API`, { fix: 'use an openai, gemini, ollama or openai-compatible embedding model' });
    }
    const output = providers.models?.[id]?.pricing.output;
    if (output !== undefined && output !== 0) {
      report(context, checked.source, path, 'knowledge/embedding', `\`${id}\` is priced with output: ${output}; an embedding model has no output tokens`, { severity: 'warning', fix: 'set its pricing output: 0 in providers.yaml' });
    }
  }
}

export function checkKnowledge(context: ValidationContext, checked: Checked<AgentFile>): void {
  const agent = checked.value;
  const knowledge = agent.knowledge;
  const facts = agent.memory?.facts;
  if (knowledge) checkEmbeddingModel(context, checked, ['knowledge', 'embedding'], knowledge.embedding);
  if (facts?.embedding) checkEmbeddingModel(context, checked, ['memory', 'facts', 'embedding'], facts.embedding);
  if (facts && !facts.embedding && !knowledge) {
    report(context, checked.source, ['memory', 'facts'], 'knowledge/embedding', 'memory.facts needs an embedding model to recall facts by similarity', {
      fix: 'set memory.facts.embedding (or knowledge.embedding) to an embedding model such as openai/text-embedding-3-small',
    });
  }
  if (agent.memory?.thread?.summary_model) checkModelReference(context, checked.source, ['memory', 'thread', 'summary_model'], agent.memory.thread.summary_model);

  (agent.tools ?? []).forEach((tool, index) => {
    if ((implicitToolNames as readonly string[]).includes(tool)) {
      report(context, checked.source, ['tools', index], 'knowledge/implicit-tool', `\`${tool}\` is implicit: knowledge.mode: tool gives knowledge_search, memory.facts gives remember and recall`, {
        fix: `remove ${tool} from tools:`,
      });
    }
  });
  if (!knowledge) return;
  const defaults = context.tools?.value.defaults?.read;
  const narrowed = agent.permissions?.read;
  const deny = [...(defaults?.deny ?? []), ...(narrowed?.deny ?? []), '**/.env*'];
  knowledge.sources.forEach((glob, index) => {
    if (glob.startsWith('/') || glob.split('/').includes('..')) {
      report(context, checked.source, ['knowledge', 'sources', index], 'knowledge/source', `source \`${glob}\` leaves the workspace`, { fix: 'write a glob relative to the workspace root' });
      return;
    }
    // A glob under a denied folder (`secrets/**` denied, source `secrets/*.md`) can match nothing readable.
    const folder = deny.find((pattern) => pattern.endsWith('/**') && !/[*?[{]/.test(pattern.slice(0, -3)) && glob.startsWith(pattern.slice(0, -2)));
    if (folder) {
      report(context, checked.source, ['knowledge', 'sources', index], 'knowledge/source', `source \`${glob}\` is under read.deny \`${folder}\`: nothing in it will be indexed`, {
        severity: 'warning',
        fix: 'narrow the source, or allow reading it in tools.yaml / permissions.read',
      });
    }
  });
}
