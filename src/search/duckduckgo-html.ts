// Pure parser for DuckDuckGo's no-JavaScript results page (html.duckduckgo.com/html/).
// Structure (2022-2026 captures, see ../shared/wire/duckduckgo/README.md):
//   div.result.results_links.web-result > h2.result__title > a.result__a   (title, href)
//   a.result__snippet (or div.result__snippet)                             (snippet)
// Ads carry `result--ad` and link to duckduckgo.com/y.js. Links are either direct (2026) or wrapped
// as //duckduckgo.com/l/?uddg=<encoded target> (earlier).

import { collapseWhitespace, loadHtmlParser } from './text.js';
import type { SearchResult } from './types.js';

export type DuckDuckGoPage = { kind: 'results'; results: SearchResult[] } | { kind: 'blocked' };

/** Text DuckDuckGo puts only on its bot check (HTML CAPTCHA page and the d.js throttle body). */
const blockMarkers = ['anomaly-modal', 'anomalyDetectionBlock', 'bots use DuckDuckGo too', 'anomaly.js'];

export async function parseDuckDuckGoHtml(html: string): Promise<DuckDuckGoPage> {
  if (blockMarkers.some((marker) => html.includes(marker))) return { kind: 'blocked' };
  const parse = await loadHtmlParser();
  const root = parse(html);
  const results: SearchResult[] = [];
  const seen = new Set<string>();
  for (const element of root.querySelectorAll('.result')) {
    if (element.classList.contains('result--ad')) continue;
    const link = element.querySelector('a.result__a');
    const url = unwrapDuckDuckGoUrl(link?.getAttribute('href'));
    if (!link || !url || seen.has(url)) continue;
    seen.add(url);
    const snippet = element.querySelector('.result__snippet');
    results.push({ title: collapseWhitespace(link.text), url, snippet: snippet ? collapseWhitespace(snippet.text) : '' });
  }
  return { kind: 'results', results };
}

/**
 * The destination of a result link: `uddg` of a /l/ redirect, or the href itself.
 * Returns undefined for ad clicks (/y.js), other DuckDuckGo-internal links and non-http(s) schemes.
 */
export function unwrapDuckDuckGoUrl(href: string | undefined): string | undefined {
  if (!href) return undefined;
  let url: URL;
  try {
    url = new URL(href, 'https://duckduckgo.com/');
  } catch {
    return undefined;
  }
  if (isDuckDuckGoHost(url.hostname)) {
    const target = url.pathname === '/l/' ? url.searchParams.get('uddg') : null;
    return target ? unwrapDuckDuckGoUrl(target) : undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  url.hash = '';
  return url.href;
}

const isDuckDuckGoHost = (hostname: string): boolean => hostname === 'duckduckgo.com' || hostname.endsWith('.duckduckgo.com');

