// Core of the `web_search` builtin tool. The tools engine (src/tools) owns permissions, the audit
// log and events; this only validates input, searches and formats the numbered results.

import type { ToolDefinition } from '../providers/types.js';
import { SearchError } from './errors.js';
import { formatResultList } from './format.js';
import type { SearchProvider } from './types.js';

export interface WebSearchInput {
  query: string;
  max_results?: number;
}

export interface WebSearchTool {
  /** Name, description and JSON Schema for the model. */
  definition: ToolDefinition;
  /** Resolves to numbered results text (or a "no results" line); rejects with SearchError. */
  execute(input: WebSearchInput, signal?: AbortSignal): Promise<string>;
}

/** Hard ceiling on results per call, whatever the config says; keeps tool output small. */
export const webSearchMaxResultsCeiling = 20;

export function webSearchTool(provider: SearchProvider, settings: { maxResults: number }): WebSearchTool {
  const limit = Math.min(Math.max(1, Math.floor(settings.maxResults)), webSearchMaxResultsCeiling);
  const definition: ToolDefinition = {
    name: 'web_search',
    description:
      'Search the web. Returns numbered results (title, URL, snippet). Use for current events, recent releases, prices or facts you are unsure of. Cite results as [n].',
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', minLength: 1, maxLength: 300, description: 'What to search for, as you would type it into a search engine.' },
        max_results: { type: 'integer', minimum: 1, maximum: limit, description: `How many results to return (default ${limit}).` },
      },
      required: ['query'],
      additionalProperties: false,
    },
  };

  async function execute(input: WebSearchInput, signal?: AbortSignal): Promise<string> {
    // The engine validates against the schema too; this guards direct callers and bad models.
    const query = typeof input?.query === 'string' ? input.query.trim() : '';
    if (!query) throw new SearchError('invalid_input', provider.name, 'web_search needs a non-empty "query" string');
    const requested = input.max_results;
    const maxResults = typeof requested === 'number' && Number.isFinite(requested) ? Math.min(Math.max(1, Math.floor(requested)), limit) : limit;
    const results = await provider.search(query, { maxResults, signal });
    return results.length > 0 ? formatResultList(results) : `No results for "${query}".`;
  }

  return { definition, execute };
}
