// One YAML file's text -> its value, or diagnostics. js-yaml (CORE schema: dates stay strings,
// duplicate keys are errors) is the fast path. Files with anchors go through `yaml`, whose alias
// expansion cap stops alias bombs; syntax errors are re-parsed with `yaml` for a better message.

import { CORE_SCHEMA, load } from 'js-yaml';
import type { Diagnostic } from '../errors.js';
import { yamlSync } from './locate.js';

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
    return checkTopLevel(load(text, { schema: CORE_SCHEMA, filename: file }), file);
  } catch (error) {
    const slow = parseWithYaml(text, file);
    if (slow.value === undefined) return slow;
    // `yaml` accepted what js-yaml rejected: report js-yaml's reason rather than pass a broken file.
    const mark = (error as { mark?: { line?: number; column?: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? String(error);
    return failure(file, (mark?.line ?? 0) + 1, (mark?.column ?? 0) + 1, 'yaml/syntax', `YAML error: ${reason}`, 'fix the YAML syntax here');
  }
}

function parseWithYaml(text: string, file: string): ParsedYaml {
  const yaml = yamlSync();
  const lineCounter = new yaml.LineCounter();
  const document = yaml.parseDocument(text, { lineCounter, schema: 'core', uniqueKeys: true, prettyErrors: false });
  const [first] = document.errors;
  if (first) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    const { code, message, fix } = describeYamlError(first.code, first.message, text.slice(first.pos[0]));
    return failure(file, line, col, code, message, fix);
  }
  try {
    return checkTopLevel(document.toJS({ maxAliasCount }), file);
  } catch {
    // yaml throws a ReferenceError when aliases expand past maxAliasCount.
    return failure(file, 1, 1, 'yaml/alias-bomb', `aliases expand to more than ${maxAliasCount} nodes (an alias bomb?)`, 'write the values out instead of repeating aliases (*name)');
  }
}

function describeYamlError(code: string, message: string, rest: string): { code: string; message: string; fix: string } {
  const firstLine = message.split('\n')[0] ?? message;
  switch (code) {
    case 'DUPLICATE_KEY': {
      const key = /^["']?([^"':\n]+)/.exec(rest)?.[1]?.trim() ?? '';
      return { code: 'yaml/duplicate-key', message: `duplicate key \`${key}\``, fix: 'remove or rename one of the two entries' };
    }
    case 'TAB_AS_INDENT':
      return { code: 'yaml/tab-indent', message: 'tab used for indentation', fix: 'indent with spaces; YAML does not allow tabs' };
    case 'MULTIPLE_DOCS':
      return { code: 'yaml/multiple-documents', message: 'more than one YAML document (`---`) in one file', fix: 'keep one document per file' };
    default:
      return { code: 'yaml/syntax', message: `YAML error: ${firstLine}`, fix: 'check the indentation, quotes and brackets here' };
  }
}

function checkTopLevel(value: unknown, file: string): ParsedYaml {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return { value, diagnostics: [] };
  const found = Array.isArray(value) ? 'a list' : value === null ? 'nothing (null)' : `a ${typeof value}`;
  return failure(file, 1, 1, 'yaml/not-mapping', `the top level must be a mapping of keys, but it is ${found}`, 'start the file with `version: 1` and the keys this kind of file needs');
}

function failure(file: string, line: number, col: number, code: string, message: string, fix: string): ParsedYaml {
  return { value: undefined, diagnostics: [{ severity: 'error', code, file, line, col, message, fix }] };
}
