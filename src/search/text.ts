// node-html-parser is loaded on first use, so `estimate`/`explain` (which import search for its
// descriptions) never pay for it.

type Parse = typeof import('node-html-parser').parse;

let parser: Promise<Parse> | undefined;
export const loadHtmlParser = (): Promise<Parse> => (parser ??= import('node-html-parser').then((module) => module.parse));

/** Plain text of an HTML fragment: tags dropped, entities decoded, layout whitespace collapsed. */
export async function htmlToText(html: string): Promise<string> {
  const parse = await loadHtmlParser();
  return collapseWhitespace(parse(html).text);
}

export const collapseWhitespace = (text: string): string => text.replace(/\s+/g, ' ').trim();
