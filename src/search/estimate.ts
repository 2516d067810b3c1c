// What search adds to a prompt, for `estimate` and `explain`, without searching.

import type { SearchSettings } from '../compile/ir.js';

/**
 * Typical tokens of one formatted result: a title (~12), a URL (~15) and a DuckDuckGo/Brave
 * snippet of 150-250 characters (~45), plus the "[n] … — " framing. Measured on the wire samples.
 */
export const typicalResultTokens = 75;
/** The block header and the citation instruction (see format.ts). */
export const sourceBlockOverheadTokens = 40;

/**
 * Worst-case input tokens search adds to one agent loop: the source block is injected once, on
 * the first call. `auto` is priced as if it searches (the estimate cannot know the runtime prompt).
 * Capped by settings.maxTokens, as the block itself is.
 */
export function estimateSearchTokens(settings: SearchSettings): number {
  if (settings.mode === 'never' || settings.maxResults <= 0) return 0;
  return Math.min(settings.maxTokens, sourceBlockOverheadTokens + settings.maxResults * typicalResultTokens);
}

/** One line for `explain`, e.g. `search: auto via ddg (duckduckgo), up to 5 results, ≤800 tokens`. */
export function describeSearch(settings: SearchSettings): string {
  if (settings.mode === 'never') return 'search: off';
  const { provider } = settings;
  const via = provider.name === provider.type ? provider.type : `${provider.name} (${provider.type})`;
  const when = settings.mode === 'auto' ? 'auto (when the request asks about current information)' : 'always';
  return `search: ${when} via ${via}, up to ${settings.maxResults} results, ≤${settings.maxTokens} tokens`;
}
