// The full path of the scanner: Handlebars' own parser, then a walk that tracks the context each
// expression reads from, as Handlebars resolves it at render time:
// - `{{#each X}}` and `{{#with X}}` read X in the outer context, then give their body a new one:
//   the item (its shape is unknown: relative reads there are not root reads) or X itself (so
//   `{{q}}` inside `{{#with inputs}}` reads `inputs.q`). `{{#if}}`, `{{#unless}}` and the other
//   helpers keep the outer context, and so does every `{{else}}` branch.
// - `../` climbs one context, `this.`/`./` stay in it, `as |name|` block params name the item
//   (or X), `@root.` reads the root, `@index`/`@key`/`@first`/`@last` exist inside `{{#each}}`.

import { isKnownHelper } from './helpers.js';
import type { HandlebarsModule, HelperUse, PathUse, ScanProblem, TemplatePosition, TemplateScan } from './scan.js';

interface Node {
  type: string;
  [field: string]: unknown;
}

/** The root path a context stands for, or undefined for an `{{#each}}` item (or anything else unknown). */
type Base = readonly string[] | undefined;

interface Scope {
  /** Contexts from the root (first, base []) to the current one (last). */
  contexts: readonly Base[];
  /** Enclosing `{{#each}}` blocks, for `@index` and friends (`@../index` needs two). */
  loops: number;
  blockParams: ReadonlyMap<string, Base>;
}

interface Collected {
  paths: PathUse[];
  partials: string[];
  partialPositions: TemplatePosition[];
  helpers: HelperUse[];
  problems: ScanProblem[];
}

const loopData = new Set(['index', 'key', 'first', 'last']);
/** Handlebars' test for a path that skips helpers and block params (`this.x`, `./x`). */
const explicitContext = /^\.|this\b/;

export function scanParsed(text: string, handlebars: HandlebarsModule): TemplateScan {
  let program: Node;
  try {
    program = handlebars.parse(text) as unknown as Node;
  } catch (error) {
    // Handlebars' message is "Parse error on line N:", the text, a caret line, then what it expected.
    const lines = (error instanceof Error ? error.message : String(error)).split('\n');
    const syntaxError = lines.length > 1 ? `${lines[0] ?? ''} ${lines[lines.length - 1] ?? ''}` : (lines[0] ?? 'invalid template');
    return { paths: [], partials: [], partialPositions: [], helpers: [], problems: [], syntaxError };
  }
  const collected: Collected = { paths: [], partials: [], partialPositions: [], helpers: [], problems: [] };
  walk(program, { contexts: [[]], loops: 0, blockParams: new Map() }, collected);
  return collected;
}

function position(node: Node): { line: number; col: number } {
  const loc = node['loc'] as { start?: { line: number; column: number } } | undefined;
  return { line: loc?.start?.line ?? 1, col: (loc?.start?.column ?? 0) + 1 };
}

/**
 * A root read (`below`: the path reads something inside its context, not just the context itself,
 * as `{{this}}` or a bare block param do), a read of an `{{#each}}` item, or a read that cannot work.
 */
type Resolved = { kind: 'root'; parts: readonly string[]; below: boolean } | { kind: 'local' } | { kind: 'problem'; message: string; fix: string };

/** Which root path a PathExpression reads, if any. */
function resolve(path: Node, scope: Scope): Resolved {
  const parts = (path['parts'] as string[] | undefined) ?? [];
  const depth = (path['depth'] as number | undefined) ?? 0;
  const written = String(path['original']);
  const [head = ''] = parts;
  if (path['data'] === true) {
    if (head === 'root') return { kind: 'root', parts: parts.slice(1), below: parts.length > 1 };
    if (loopData.has(head)) {
      return scope.loops > depth ? { kind: 'local' } : { kind: 'problem', message: `\`{{${written}}}\` is only set inside {{#each}}`, fix: 'move it inside an {{#each}} block' };
    }
    return { kind: 'problem', message: `\`{{${written}}}\` is not a Handlebars data variable`, fix: 'use @index, @key, @first, @last or @root' };
  }
  if (depth === 0 && !explicitContext.test(written) && scope.blockParams.has(head)) {
    const base = scope.blockParams.get(head);
    return base ? { kind: 'root', parts: [...base, ...parts.slice(1)], below: parts.length > 1 } : { kind: 'local' };
  }
  if (depth >= scope.contexts.length) {
    return { kind: 'problem', message: `\`{{${written}}}\` climbs above the top-level context`, fix: 'remove a `../`: only {{#each}} and {{#with}} open a context to climb out of' };
  }
  const base = scope.contexts[scope.contexts.length - 1 - depth];
  return base ? { kind: 'root', parts: [...base, ...parts], below: parts.length > 0 } : { kind: 'local' };
}

/** Records a read. Reading a context itself adds nothing: the block that opened it recorded it. */
function read(path: Node, scope: Scope, collected: Collected): void {
  const resolved = resolve(path, scope);
  if (resolved.kind === 'problem') collected.problems.push({ message: resolved.message, fix: resolved.fix, ...position(path) });
  if (resolved.kind === 'root' && resolved.below) collected.paths.push({ parts: resolved.parts, written: String(path['original']), ...position(path) });
}

function visitExpression(node: Node | undefined, scope: Scope, collected: Collected): void {
  if (node?.type === 'PathExpression') read(node, scope, collected);
  else if (node?.type === 'SubExpression') visitCall(node, scope, collected, true);
}

/** A mustache, block or subexpression: `path` is a helper when it has arguments or names a known helper. */
function visitCall(node: Node, scope: Scope, collected: Collected, isHelper: boolean): void {
  const path = node['path'] as Node;
  const args = argumentsOf(node);
  const name = path.type === 'PathExpression' ? String(path['original']) : '';
  if (path.type === 'PathExpression' && (isHelper || args.length > 0 || isKnownHelper(name))) collected.helpers.push({ name, ...position(path) });
  else visitExpression(path, scope, collected);
  for (const argument of args) visitExpression(argument, scope, collected);
}

/** Positional arguments, then the values of `key=value` ones. */
function argumentsOf(node: Node): Node[] {
  const pairs = (node['hash'] as { pairs?: Array<{ value: Node }> } | undefined)?.pairs ?? [];
  return [...((node['params'] as Node[] | undefined) ?? []), ...pairs.map((pair) => pair.value)];
}

/** The scope of an `{{#each}}`/`{{#with}}` body; other blocks keep the outer one. */
function bodyScope(block: Node, scope: Scope): Scope {
  const name = String((block['path'] as Node)['original']);
  if (name !== 'each' && name !== 'with') return scope;
  const target = ((block['params'] as Node[] | undefined) ?? [])[0];
  const resolved = target?.type === 'PathExpression' ? resolve(target, scope) : undefined;
  const base: Base = name === 'with' && resolved?.kind === 'root' ? resolved.parts : undefined;
  const names = ((block['program'] as Node | undefined)?.['blockParams'] as string[] | undefined) ?? [];
  const blockParams = new Map(scope.blockParams);
  names.forEach((param, index) => blockParams.set(param, index === 0 ? base : undefined));
  // Handlebars opens a new context only when the value differs from the current one (`{{#with this}}`).
  const current = scope.contexts[scope.contexts.length - 1];
  const isThis = target?.type === 'PathExpression' && target['data'] !== true && target['depth'] === 0 && (target['parts'] as string[]).length === 0;
  const sameContext = name === 'with' && (isThis || (base !== undefined && current !== undefined && samePath(base, current)));
  if (sameContext) return { ...scope, blockParams };
  return { contexts: [...scope.contexts, base], loops: scope.loops + (name === 'each' ? 1 : 0), blockParams };
}

function samePath(left: readonly string[], right: readonly string[]): boolean {
  return left.length === right.length && left.every((part, index) => part === right[index]);
}

function walk(node: Node | undefined, scope: Scope, collected: Collected): void {
  if (!node) return;
  switch (node.type) {
    case 'Program':
      for (const child of node['body'] as Node[]) walk(child, scope, collected);
      return;
    case 'MustacheStatement':
      visitCall(node, scope, collected, false);
      return;
    case 'BlockStatement':
      visitCall(node, scope, collected, true);
      walk(node['program'] as Node | undefined, bodyScope(node, scope), collected);
      walk(node['inverse'] as Node | undefined, scope, collected);
      return;
    case 'PartialStatement':
    case 'PartialBlockStatement': {
      const name = node['name'] as Node;
      if (name.type === 'SubExpression') {
        collected.problems.push({ message: 'a partial name is computed, so which layer it includes is unknown', fix: 'write the layer name: {{> layer/name}}', ...position(name) });
        visitCall(name, scope, collected, true);
      } else {
        collected.partials.push(String(name['original'] ?? name['value']));
        collected.partialPositions.push(position(node));
      }
      for (const argument of argumentsOf(node)) visitExpression(argument, scope, collected);
      walk(node['program'] as Node | undefined, scope, collected);
      return;
    }
    default:
      return;
  }
}
