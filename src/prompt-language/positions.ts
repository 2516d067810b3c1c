// From a position the scanner reports (line and column inside a template text) to the mustache that
// holds it, spelled as in the text. The YAML source may spell the text differently (a block scalar
// is indented, a folded or quoted one is re-flowed), but a mustache is almost always written there
// verbatim: finding the same one in the source gives its exact file position (SourceFile.locateWithin).

import type { TemplatePosition } from './scan.js';

export interface MustacheInText {
  /** The whole `{{...}}` (or `{{{...}}}`) as written. */
  text: string;
  /** How many identical mustaches come before it in the template (0 for the first). */
  occurrence: number;
}

/** Offset of a 1-based line and column; Handlebars counts `\r\n`, `\r` and `\n` as line breaks. */
function offsetOf(text: string, at: TemplatePosition): number | undefined {
  let offset = 0;
  for (let line = 1; line < at.line; line++) {
    const next = text.slice(offset).search(/\r\n?|\n/);
    if (next === -1) return undefined;
    offset += next + (text.startsWith('\r\n', offset + next) ? 2 : 1);
  }
  const result = offset + at.col - 1;
  return result <= text.length ? result : undefined;
}

/** The mustache a scanned position is in, or undefined when the position is not inside one. */
export function mustacheAt(text: string, at: TemplatePosition): MustacheInText | undefined {
  const offset = offsetOf(text, at);
  if (offset === undefined) return undefined;
  let start = text.lastIndexOf('{{', offset + 1);
  if (start === -1) return undefined;
  while (start > 0 && text[start - 1] === '{') start--;
  const close = text.indexOf('}}', Math.max(offset, start + 2));
  if (close === -1) return undefined;
  let end = close + 2;
  while (text[end] === '}' && end - close < 3) end++;
  const mustache = text.slice(start, end);
  let occurrence = 0;
  for (let index = text.indexOf(mustache); index !== -1 && index < start; index = text.indexOf(mustache, index + 1)) occurrence++;
  return { text: mustache, occurrence };
}
