// The fast path of the scanner: texts whose every mustache is a plain `{{path}}`, `{{{path}}}`,
// `{{helper arg ...}}` (args: paths, "strings", 'strings', numbers) or `{{> layer/name}}`. Anything
// else, or anything this grammar is unsure of, returns undefined and goes to Handlebars' parser.
// It must agree exactly with parsed-scan.ts (positions too) on every text it accepts: a test
// compares them.

import { isKnownHelper } from './helpers.js';
import type { HelperUse, PathUse, TemplatePosition, TemplateScan } from './scan.js';

// A mustache: `{{{...}}}` or `{{...}}` with no brace inside.
const mustache = /\{\{\{([^{}]*)\}\}\}|\{\{([^{}]*)\}\}/g;
const segment = String.raw`[A-Za-z_][A-Za-z0-9_-]*`;
const partial = new RegExp(String.raw`^\s*>\s*(${segment}(?:/${segment})*)\s*$`);
// One token, after optional whitespace; each must end at whitespace or the end (as Handlebars'
// literals do). Strings with a backslash (escapes) are left to the parser.
const token = new RegExp(String.raw`(\s*)(?:"[^"\\]*"|'[^'\\]*'|(-?\d+(?:\.\d+)?)|(${segment}(?:\.${segment})*))(?=\s|$)`, 'y');
/** Words the Handlebars lexer may read as something other than a name. */
const keywords = new Set(['true', 'false', 'null', 'undefined', 'this', 'else', 'as']);
const literalArguments = new Set(['true', 'false', 'null', 'undefined']);

/** Line and column of increasing offsets, counted incrementally. */
class Positions {
  private line = 1;
  private lineStart = 0;
  private scanned = 0;
  constructor(private readonly text: string) {}

  at(offset: number): { line: number; col: number } {
    for (; this.scanned < offset; this.scanned++) {
      if (this.text.charCodeAt(this.scanned) === 10) (this.line += 1), (this.lineStart = this.scanned + 1);
    }
    return { line: this.line, col: offset - this.lineStart + 1 };
  }
}

export function scanPlain(text: string): TemplateScan | undefined {
  const paths: PathUse[] = [];
  const helpers: HelperUse[] = [];
  const partials: string[] = [];
  const partialPositions: TemplatePosition[] = [];
  const scan: TemplateScan = { paths, partials, partialPositions, helpers, problems: [] };
  if (!text.includes('{{')) return text.includes('}}') ? undefined : scan;
  // Handlebars counts a lone \r as a line break, and `\{{` is an escaped (literal) mustache.
  if (text.includes('\r') || text.includes('\\{{')) return undefined;
  const positions = new Positions(text);
  let cursor = 0;
  for (const match of text.matchAll(mustache)) {
    const start = match.index;
    const end = start + match[0].length;
    const between = text.slice(cursor, start);
    if (between.includes('{{') || between.includes('}}') || text[start - 1] === '{' || text[end] === '}') return undefined;
    cursor = end;
    const triple = match[1] !== undefined;
    const inner = match[1] ?? match[2] ?? '';
    const innerStart = start + (triple ? 3 : 2);
    const included = triple ? undefined : partial.exec(inner)?.[1];
    if (included !== undefined) {
      if (included.split('/').some((part) => keywords.has(part))) return undefined;
      partials.push(included);
      partialPositions.push(positions.at(start));
      continue;
    }
    if (!scanExpression(inner, innerStart, positions, paths, helpers)) return undefined;
  }
  const tail = text.slice(cursor);
  return tail.includes('{{') || tail.includes('}}') ? undefined : scan;
}

/** One mustache's inside: a head path then arguments. False when it is not in the plain grammar. */
function scanExpression(inner: string, innerStart: number, positions: Positions, paths: PathUse[], helpers: HelperUse[]): boolean {
  const content = inner.trimEnd();
  const found: Array<{ path?: string; offset: number }> = [];
  token.lastIndex = 0;
  while (token.lastIndex < content.length) {
    const match = token.exec(content);
    if (!match) return false;
    found.push({ ...(match[3] !== undefined ? { path: match[3] } : {}), offset: innerStart + match.index + (match[1] ?? '').length });
  }
  const [head, ...args] = found;
  if (head?.path === undefined || head.path.split('.').some((part) => keywords.has(part))) return false;
  const isHelper = args.length > 0 || isKnownHelper(head.path);
  if (isHelper) helpers.push({ name: head.path, ...positions.at(head.offset) });
  else paths.push({ parts: head.path.split('.'), written: head.path, ...positions.at(head.offset) });
  for (const arg of args) {
    if (arg.path === undefined || literalArguments.has(arg.path)) continue;
    if (arg.path.split('.').some((part) => keywords.has(part))) return false;
    paths.push({ parts: arg.path.split('.'), written: arg.path, ...positions.at(arg.offset) });
  }
  return true;
}
