// web_search: delegates to the handler src/search injects through the tool context.

import { ToolFailedError, type BuiltinTool } from '../types.js';

export const webSearchTool: BuiltinTool = {
  name: 'web_search',
  description: 'Search the web. Returns numbered results with title, URL and snippet.',
  inputSchema: {
    type: 'object',
    properties: {
      query: { type: 'string', minLength: 1, description: 'What to search for' },
      max_results: { type: 'integer', minimum: 1, maximum: 20, description: 'How many results (default from the search settings)' },
    },
    required: ['query'],
    additionalProperties: false,
  },
  timeoutMs: (toolSet) => toolSet.permissions.http.timeoutMs,
  async run(input, runtime) {
    const { query, max_results: maxResults } = input as { query: string; max_results?: number };
    if (!runtime.webSearch) throw new ToolFailedError('web search is not available in this run');
    const provider = runtime.spec.kind === 'builtin' ? runtime.spec.searchProvider : undefined;
    return { output: await runtime.webSearch({ query, ...(maxResults === undefined ? {} : { maxResults }), ...(provider === undefined ? {} : { provider }) }) };
  },
};
