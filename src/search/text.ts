import { parse } from 'node-html-parser';

/** Plain text of an HTML fragment: tags dropped, entities decoded, layout whitespace collapsed. */
export function htmlToText(html: string): string {
  return collapseWhitespace(parse(html).text);
}

export const collapseWhitespace = (text: string): string => text.replace(/\s+/g, ' ').trim();
