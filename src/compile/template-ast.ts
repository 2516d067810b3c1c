// Static analysis of a Handlebars template, without rendering it: which variables it reads, which
// partials and helpers it calls. Compile uses it to reject unknown references and to decide whether
// a prompt part is cacheable. Handlebars is loaded with a synchronous require on first use (not at
// import time), so `--help` and the happy path of other verbs never pay for it.

import { createRequire } from 'node:module';
import { allHelperNames } from '../prompt-language.js';

type HandlebarsModule = typeof import('handlebars');
let handlebarsModule: HandlebarsModule | undefined;
export function loadHandlebars(): HandlebarsModule {
  handlebarsModule ??= createRequire(import.meta.url)('handlebars') as HandlebarsModule;
  return handlebarsModule;
}

export { promptHelperNames } from '../prompt-language.js';
const knownHelpers = new Set<string>(allHelperNames);
/** Blocks whose body reads a different context: paths inside are not checked against the roots. */
const contextBlocks = new Set(['each', 'with']);

/**
 * Variables whose value changes from run to run. A part that reads none of them (directly or
 * through a partial) renders the same every time, so providers may cache it.
 */
export const perRunRoots = new Set(['inputs', 'steps', 'item', 'item_index', 'run', 'today']);

export interface PathUse {
  /** Dotted parts from the root context, e.g. ['inputs', 'question']. */
  parts: string[];
  line: number;
  col: number;
}

export interface TemplateAnalysis {
  paths: PathUse[];
  partials: string[];
  /** Helper names called, known or not. */
  helpers: Set<string>;
  unknownHelpers: PathUse[];
  syntaxError?: string;
}

interface Node {
  type: string;
  [key: string]: unknown;
}

export function analyzeTemplate(text: string): TemplateAnalysis {
  const analysis: TemplateAnalysis = { paths: [], partials: [], helpers: new Set(), unknownHelpers: [] };
  let program: Node;
  try {
    program = loadHandlebars().parse(text) as unknown as Node;
  } catch (error) {
    analysis.syntaxError = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return analysis;
  }
  walk(program, false, analysis);
  return analysis;
}

function position(node: Node): { line: number; col: number } {
  const loc = node['loc'] as { start?: { line: number; column: number } } | undefined;
  return { line: loc?.start?.line ?? 1, col: (loc?.start?.column ?? 0) + 1 };
}

function pathUse(node: Node, scoped: boolean, analysis: TemplateAnalysis): void {
  const parts = (node['parts'] as string[] | undefined) ?? [];
  if (node['data'] === true) {
    // `@root.inputs.x` reads the root context; other data (@index, @key) is loop-local.
    if (parts[0] === 'root' && parts.length > 1) analysis.paths.push({ parts: parts.slice(1), ...position(node) });
    return;
  }
  if (scoped || (node['depth'] as number) > 0 || parts.length === 0) return;
  analysis.paths.push({ parts, ...position(node) });
}

function visitExpression(node: Node | undefined, scoped: boolean, analysis: TemplateAnalysis): void {
  if (!node) return;
  if (node.type === 'PathExpression') pathUse(node, scoped, analysis);
  else if (node.type === 'SubExpression') visitCall(node, scoped, analysis, true);
}

/** A mustache, block or subexpression: `path` is a helper when it has params or names a known helper. */
function visitCall(node: Node, scoped: boolean, analysis: TemplateAnalysis, isHelper: boolean): void {
  const path = node['path'] as Node;
  const params = (node['params'] as Node[] | undefined) ?? [];
  const pairs = ((node['hash'] as { pairs?: Array<{ value: Node }> } | undefined)?.pairs ?? []).map((pair) => pair.value);
  const name = path.type === 'PathExpression' ? String(path['original']) : '';
  const helper = isHelper || params.length > 0 || pairs.length > 0 || knownHelpers.has(name);
  if (helper) {
    analysis.helpers.add(name);
    if (!knownHelpers.has(name)) analysis.unknownHelpers.push({ parts: [name], ...position(path) });
  } else {
    visitExpression(path, scoped, analysis);
  }
  for (const param of [...params, ...pairs]) visitExpression(param, scoped, analysis);
}

function walk(node: Node | undefined, scoped: boolean, analysis: TemplateAnalysis): void {
  if (!node) return;
  switch (node.type) {
    case 'Program':
      for (const child of node['body'] as Node[]) walk(child, scoped, analysis);
      return;
    case 'MustacheStatement':
      visitCall(node, scoped, analysis, false);
      return;
    case 'BlockStatement': {
      visitCall(node, scoped, analysis, true);
      const name = String((node['path'] as Node)['original']);
      walk(node['program'] as Node | undefined, scoped || contextBlocks.has(name), analysis);
      walk(node['inverse'] as Node | undefined, scoped, analysis);
      return;
    }
    case 'PartialStatement':
    case 'PartialBlockStatement': {
      const name = node['name'] as Node;
      if (name.type === 'PathExpression' || name.type === 'StringLiteral') analysis.partials.push(String(name['original'] ?? name['value']));
      for (const param of (node['params'] as Node[] | undefined) ?? []) visitExpression(param, scoped, analysis);
      walk(node['program'] as Node | undefined, scoped, analysis);
      return;
    }
    default:
      return;
  }
}

/** True when the template reads no per-run variable itself (partials are checked by the caller). */
export function readsPerRunState(analysis: TemplateAnalysis): boolean {
  return analysis.helpers.has('today') || analysis.paths.some((path) => perRunRoots.has(path.parts[0] ?? ''));
}
