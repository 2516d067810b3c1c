// One YAML file's text -> its value, or diagnostics. js-yaml (CORE schema: dates stay strings,
// duplicate keys are errors) is the fast path. Files with anchors go through `yaml`, whose alias
// expansion cap stops alias bombs; syntax errors are re-parsed with `yaml` for a better message.

import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import type { Diagnostic } from '../errors.js';
import { yamlSync } from './locate.js';
import { documentProblem } from './yaml-checks.js';

/** js-yaml's core schema plus merge keys (`<<: *defaults`, `<<: [*a, *b]`), as `yaml` reads them with `merge: true`. */
export const jsYamlSchema = CORE_SCHEMA.withTags(mergeTag);

/**
 * `yaml`'s options, matching js-yaml's: core schema, merge keys, duplicate keys refused. logLevel
 * 'error' keeps it from ever calling process.emitWarning (a Node warning on stderr).
 */
export const yamlParseOptions = { schema: 'core', merge: true, uniqueKeys: true, prettyErrors: false, logLevel: 'error' } as const;

/** Most nodes an alias may expand to (yaml's `maxAliasCount`): real configs use a handful. */
export const maxAliasCount = 100;

export interface ParsedYaml {
  /** The value, or `undefined` when the file could not be parsed. */
  value: unknown;
  diagnostics: Diagnostic[];
}

// An anchor is `&name` where a node may start; a false positive ("R&D") only costs the slower path.
const anchorPattern = /(?:^|[\s[{,:-])&[^\s]/m;
const blankPattern = /^\s*(?:#[^\n]*)?(?:\n\s*(?:#[^\n]*)?)*$/;

export function parseYaml(text: string, file: string): ParsedYaml {
  if (blankPattern.test(text)) {
    return failure(file, 1, 1, 'yaml/empty', 'the file is empty', 'write `version: 1` and the fields this kind of file needs, or delete it');
  }
  if (anchorPattern.test(text)) return parseWithYaml(text, file);
  try {
    return checkTopLevel(load(text, { schema: jsYamlSchema, filename: file }), file);
  } catch (error) {
    // `user: {{inputs.q}}` is a mapping used as a key (or, with text after it, a syntax error): no
    // parser names the mistake, js-yaml gives no position, and `yaml` would warn on stderr reading it.
    const templateOffset = unquotedTemplateAt(text);
    if (templateOffset !== undefined) {
      const { line, col } = lineAndColumn(text, templateOffset);
      return failure(file, line, col, 'yaml/unquoted-template', 'a value that starts with `{{` is read as a YAML mapping, not as a template', quotingFix(text, templateOffset));
    }
    // Complex keys, undefined aliases and unknown tags: `yaml` says where (yaml-checks.ts).
    const slow = parseWithYaml(text, file);
    if (slow.value === undefined) return slow;
    // `yaml` accepted what js-yaml rejected: report js-yaml's reason rather than pass a broken file.
    const mark = (error as { mark?: { line?: number; column?: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? String(error);
    if (isStackOverflow(reason)) return failure(file, (mark?.line ?? 0) + 1, (mark?.column ?? 0) + 1, tooDeep.code, tooDeep.message, tooDeep.fix);
    return failure(file, (mark?.line ?? 0) + 1, (mark?.column ?? 0) + 1, 'yaml/syntax', `YAML error: ${reason}`, 'fix the YAML syntax here');
  }
}

function parseWithYaml(text: string, file: string): ParsedYaml {
  const yaml = yamlSync();
  const lineCounter = new yaml.LineCounter();
  const document = yaml.parseDocument(text, { lineCounter, ...yamlParseOptions });
  const [first] = document.errors;
  if (first) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    const { code, message, fix } = describeYamlError(first.code, first.message, text, first.pos[0]);
    return failure(file, line, col, code, message, fix);
  }
  const problem = documentProblem(document, text);
  if (problem) {
    const { line, col } = lineCounter.linePos(problem.offset);
    return failure(file, line, col, problem.code, problem.message, problem.fix);
  }
  try {
    return checkTopLevel(document.toJS({ maxAliasCount }), file);
  } catch (error) {
    // yaml throws a ReferenceError when aliases expand past maxAliasCount (undefined aliases were caught above).
    const message = error instanceof Error ? error.message : String(error);
    if (/alias/i.test(message)) return failure(file, 1, 1, 'yaml/alias-bomb', `aliases expand to more than ${maxAliasCount} nodes (an alias bomb?)`, 'write the values out instead of repeating aliases (*name)');
    if (isStackOverflow(message)) return failure(file, 1, 1, tooDeep.code, tooDeep.message, tooDeep.fix);
    return failure(file, 1, 1, 'yaml/syntax', `YAML error: ${message}`, 'check the YAML here');
  }
}

/** A parser that ran out of stack on thousands of nested brackets or blocks says so in JavaScript's words. */
const tooDeep = { code: 'yaml/too-deep', message: 'the YAML nests too deeply (brackets or blocks thousands of levels inside each other)', fix: 'flatten the structure; no agentpipe file needs more than a few levels' };
const isStackOverflow = (message: string): boolean => /maximum call stack/i.test(message);

function describeYamlError(code: string, message: string, text: string, offset: number): { code: string; message: string; fix: string } {
  const firstLine = message.split('\n')[0] ?? message;
  if (isStackOverflow(firstLine)) return tooDeep;
  const rest = text.slice(offset);
  switch (code) {
    case 'DUPLICATE_KEY': {
      const key = /^["']?([^"':\n]+)/.exec(rest)?.[1]?.trim() ?? '';
      return { code: 'yaml/duplicate-key', message: `duplicate key \`${key}\``, fix: 'remove or rename one of the two entries' };
    }
    case 'TAB_AS_INDENT':
      return { code: 'yaml/tab-indent', message: 'tab used for indentation', fix: 'indent with spaces; YAML does not allow tabs' };
    case 'MULTIPLE_DOCS':
      return { code: 'yaml/multiple-documents', message: 'more than one YAML document (`---`) in one file', fix: 'keep one document per file' };
    // A `: ` inside an unquoted value, a value starting with @ or `, text after a closing quote:
    // prose pasted as a plain scalar. Quoting the whole value is the fix.
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'BAD_SCALAR_START':
    case 'UNEXPECTED_TOKEN':
      return { code: 'yaml/syntax', message: `YAML error: ${firstLine}`, fix: quotingFix(text, offset) };
    default:
      if (firstLine.startsWith('Unexpected scalar at node end')) return { code: 'yaml/syntax', message: `YAML error: ${firstLine}`, fix: quotingFix(text, offset) };
      return { code: 'yaml/syntax', message: `YAML error: ${firstLine}`, fix: 'check the indentation, quotes and brackets here' };
  }
}

// `{{` where a value starts: after `key: `, `- `, or inside a flow collection after `[`, `{` or `,`.
const unquotedTemplate = /(?:^[ \t]*(?:-[ \t]+)?(?:[^\s#'"{[][^:#\n]*:[ \t]+|-[ \t]+)|[[{,][ \t]*(?:[^\s#'"{[,][^:#\n,]*:[ \t]+)?)\{\{/gm;

/** Offset of the first `{{` that starts an unquoted value (block scalars, where `{{` is text, skipped). */
function unquotedTemplateAt(text: string): number | undefined {
  for (const match of text.matchAll(unquotedTemplate)) {
    const offset = match.index + match[0].length - 2;
    if (!inBlockScalar(text, offset)) return offset;
  }
  return undefined;
}

/** Whether `offset` is in the body of a `key: |` or `key: >` block scalar. */
function inBlockScalar(text: string, offset: number): boolean {
  const lines = text.slice(0, offset).split('\n');
  const indent = (line: string): number => line.length - line.trimStart().length;
  let current = indent(lines[lines.length - 1] ?? '');
  for (let index = lines.length - 2; index >= 0; index--) {
    const line = lines[index] ?? '';
    if (line.trim() === '') continue;
    if (indent(line) >= current) continue;
    if (/(?:^|[:\s-])[|>][-+0-9]*[ \t]*(?:#.*)?$/.test(line)) return true;
    current = indent(line);
  }
  return false;
}

// `  key: value`, `  - key: value` or `  - value`, with the value unquoted.
const keyAndValue = /^([ \t]*(?:-[ \t]+)?(?:[^\s#'"-][^:#\n]*:[ \t]+)?)([^'"\s].*?)[ \t]*$/;

/**
 * "quote the string": the whole line rewritten when the value starts at `offset` and ends the line,
 * else just the template or word there.
 */
function quotingFix(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  const line = text.slice(start, end === -1 ? undefined : end);
  const match = keyAndValue.exec(line);
  const quote = (value: string): string => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  // A ` #` would start a comment: where such a value ends is a guess.
  if (match?.[1] !== undefined && match[2] !== undefined && start + match[1].length === offset && !match[2].includes(' #')) {
    return `quote the string: \`${match[1].trimStart()}${quote(match[2])}\``;
  }
  const template = /^\{\{[^\n]*?\}\}/.exec(text.slice(offset))?.[0];
  if (template !== undefined) return `quote the string: \`${quote(template)}\``;
  return 'quote the string (an unquoted value cannot hold `: `, start with @, ` or {, or go on after a quote)';
}

function lineAndColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, col: offset - lineStart + 1 };
}

function checkTopLevel(value: unknown, file: string): ParsedYaml {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return { value, diagnostics: [] };
  const found = Array.isArray(value) ? 'a list' : value === null ? 'nothing (null)' : `a ${typeof value}`;
  return failure(file, 1, 1, 'yaml/not-mapping', `the top level must be a mapping of keys, but it is ${found}`, 'start the file with `version: 1` and the keys this kind of file needs');
}

function failure(file: string, line: number, col: number, code: string, message: string, fix: string): ParsedYaml {
  return { value: undefined, diagnostics: [{ severity: 'error', code, file, line, col, message, fix }] };
}
