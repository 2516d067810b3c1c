// A temp project with the labelled corpus (docs/ and src/) and agent `support` whose knowledge covers docs/**/*.md.

import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeProject, providersYaml, repoRoot } from '../e2e/helpers.js';

export const corpus = join(repoRoot, 'test', 'fixtures', 'knowledge-corpus');

export interface LabelledQuestion {
  question: string;
  source: string;
  /** paraphrase: shares few words with its source; identifier: a name or code from it; ordinary. */
  kind?: 'paraphrase' | 'identifier' | 'ordinary';
}

/** questions.json (the main set), or questions-easy.json (an earlier set of plainer questions). */
export const loadQuestions = async (set: 'questions' | 'questions-easy' = 'questions'): Promise<LabelledQuestion[]> =>
  JSON.parse(await readFile(join(corpus, `${set}.json`), 'utf8')) as LabelledQuestion[];

export const embeddingModels = `models:
  openai/text-embedding-3-small: { pricing: { input: 0.02, output: 0 } }
  ollama/nomic-embed-text: { pricing: { input: 0, output: 0 } }
`;

export function supportAgent(options: { mode?: 'inject' | 'tool'; extra?: string; sources?: string; embedding?: string; permissions?: string } = {}): string {
  return `# yaml-language-server: $schema=../schemas/agent.schema.json
version: 1
name: support
model: main
inputs: { question: { type: string } }
prompt:
  system: "You answer from the docs. MARK-support"
  user: "{{inputs.question}}"
knowledge:
  sources: [${options.sources ?? '"docs/**/*.md"'}]
  embedding: ${options.embedding ?? 'openai/text-embedding-3-small'}
  top_k: 5
  mode: ${options.mode ?? 'inject'}
${options.permissions ?? ''}${options.extra ?? ''}`;
}

/** providers.yaml of the e2e helpers plus two embedding models (pricing output: 0). */
export const knowledgeProviders = (): string => providersYaml().replace('models:\n', embeddingModels);

export async function makeKnowledgeProject(files: Record<string, string> = {}): Promise<string> {
  const root = await makeProject({ 'providers.yaml': knowledgeProviders(), 'agents/support.yaml': supportAgent(), ...files });
  await cp(join(corpus, 'docs'), join(root, 'docs'), { recursive: true });
  await cp(join(corpus, 'src'), join(root, 'src'), { recursive: true });
  return root;
}
