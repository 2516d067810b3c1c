// How results are shown to a model: a numbered list, shared by the injected source block and the
// web_search tool so that [n] means the same thing in both.

import type { SearchResult } from './types.js';

/**
 * Token counts here are approximate: 1 token ≈ 4 characters, the usual figure for English text in
 * BPE tokenizers. Good enough for a cap; the estimate stage counts real tokens of the rendered prompt.
 */
export const charsPerToken = 4;
export const approximateTokens = (text: string): number => Math.ceil(text.length / charsPerToken);

export function formatResult(result: SearchResult, number: number): string {
  const head = `[${number}] ${result.title || result.url} — ${result.url}`;
  return result.snippet ? `${head}\n    ${result.snippet}` : head;
}

export const formatResultList = (results: SearchResult[]): string => results.map((result, index) => formatResult(result, index + 1)).join('\n');

const blockHeader = (query: string): string =>
  `Web search results for "${query}". They may be more current than your training data. ` +
  'When you use one, cite it as [n] with its number; do not invent sources.\n';

/**
 * The system-prompt block: header plus as many numbered results as fit in `maxTokens`.
 * A result that does not fit is shortened to its title line, then dropped with everything after it.
 * Returns undefined when there are no results or not even the header and one title line fit.
 */
export function formatSourceBlock(query: string, results: SearchResult[], maxTokens: number): string | undefined {
  const budget = maxTokens * charsPerToken;
  let block = blockHeader(query);
  let count = 0;
  for (const [index, result] of results.entries()) {
    const full = `${formatResult(result, index + 1)}\n`;
    const titleOnly = `${formatResult({ ...result, snippet: '' }, index + 1)}\n`;
    const entry = block.length + full.length <= budget ? full : block.length + titleOnly.length <= budget ? titleOnly : undefined;
    if (!entry) break;
    block += entry;
    count++;
  }
  return count > 0 ? block.trimEnd() : undefined;
}
