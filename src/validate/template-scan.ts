// Lint reads templates with the shared scanner, src/prompt-language/scan.ts (the one compile uses).

import { scanTemplate } from '../prompt-language/scan.js';

/**
 * Scans every text once before the checks run (validate/index.ts calls it). The scanner caches each
 * text's scan and loads Handlebars itself on first need, so this only moves that work up front.
 */
export async function prepareScanner(texts: Iterable<string>): Promise<void> {
  for (const text of texts) scanTemplate(text);
}
