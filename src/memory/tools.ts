// The implicit tools of knowledge and memory. They are not listed under `tools:`: an agent gets
// knowledge_search when `knowledge.mode` is `tool`, and remember/recall when it has `memory.facts`.

import type { ToolDefinition } from '../providers/types.js';

export const knowledgeSearchTool: ToolDefinition = {
  name: 'knowledge_search',
  description: "Search the project's own documents (the agent's knowledge index). Returns numbered passages with file:line; cite them as [n].",
  inputSchema: {
    type: 'object',
    properties: {
      query: { type: 'string', description: 'What to look for: a question, names, error codes' },
      top_k: { type: 'integer', minimum: 1, maximum: 20, description: 'How many passages (default: the agent\'s top_k)' },
    },
    required: ['query'],
    additionalProperties: false,
  },
};

export const rememberTool: ToolDefinition = {
  name: 'remember',
  description: 'Store a fact for later runs (long-term memory). One self-contained sentence per call.',
  inputSchema: { type: 'object', properties: { fact: { type: 'string', minLength: 1, maxLength: 2000 } }, required: ['fact'], additionalProperties: false },
};

export const recallTool: ToolDefinition = {
  name: 'recall',
  description: 'Find remembered facts similar to a query (long-term memory).',
  inputSchema: {
    type: 'object',
    properties: { query: { type: 'string', minLength: 1 }, top_k: { type: 'integer', minimum: 1, maximum: 20 } },
    required: ['query'],
    additionalProperties: false,
  },
};

/** Names no tools.yaml tool may shadow for an agent that gets them implicitly. */
export const implicitToolNames = [knowledgeSearchTool.name, rememberTool.name, recallTool.name] as const;
