// The one scanner of prompt templates: which root variables, partials and helpers a Handlebars text
// uses, without rendering it. Lint (validate/check-variables.ts) and compile (prompt parts, steps,
// outputs, cacheability) both read this, so they cannot disagree about a prompt.
//
// Texts made only of plain `{{path}}`, `{{helper arg "literal"}}` and `{{> partial}}` are read by a
// regular expression (plain-scan.ts); anything else goes through Handlebars' own parser
// (parsed-scan.ts), loaded on first need so that lint of plain prompts never pays for it. A test
// checks that the two paths give the same answer on every text the fast one accepts.

import { createRequire } from 'node:module';
import { scanParsed } from './parsed-scan.js';
import { scanPlain } from './plain-scan.js';

export type HandlebarsModule = typeof import('handlebars');

/** Where in the template text: 1-based line and column, as Handlebars counts them. */
export interface TemplatePosition {
  line: number;
  col: number;
}

/** A read of the root context (`inputs`, `steps`, `agent`, ...) and where it is written. */
export interface PathUse extends TemplatePosition {
  /**
   * The path from the root: `{{inputs.question}}` -> ['inputs', 'question']. Reads inside blocks are
   * resolved: `{{../x}}` in an `{{#each}}` -> ['x'], `{{@root.x}}` -> ['x'], `{{q}}` inside
   * `{{#with inputs}}` -> ['inputs', 'q']. Reads of an `{{#each}}` item are not root reads.
   */
  parts: readonly string[];
  /** As written in the template, e.g. `../x`. */
  written: string;
}

export interface HelperUse extends TemplatePosition {
  /** Known or not: see helpers.ts. */
  name: string;
}

/** A read that cannot work wherever it is, e.g. `{{@index}}` outside `{{#each}}`. */
export interface ScanProblem extends TemplatePosition {
  message: string;
  fix: string;
}

export interface TemplateScan {
  /** In text order. Shared between callers: never mutate. */
  readonly paths: readonly PathUse[];
  /** Partial (layer) names included with `{{> name}}`, in text order. */
  readonly partials: readonly string[];
  /** Where each of `partials` is written (the same order): its `{{`. */
  readonly partialPositions: readonly TemplatePosition[];
  readonly helpers: readonly HelperUse[];
  readonly problems: readonly ScanProblem[];
  /** Set when the text is not valid Handlebars; the lists are then empty. */
  readonly syntaxError?: string;
}

let handlebarsModule: HandlebarsModule | undefined;

/** Handlebars, loaded synchronously on first use (not at import time): used to parse and to render. */
export function loadHandlebars(): HandlebarsModule {
  handlebarsModule ??= createRequire(import.meta.url)('handlebars') as HandlebarsModule;
  return handlebarsModule;
}

// Prompts repeat across agents and are scanned by several checks: each distinct text once.
// Bounded so that a long-lived process scanning generated texts cannot grow it without end.
const scans = new Map<string, TemplateScan>();
const maxCachedScans = 10_000;

/**
 * Deepest block nesting a template may have. Handlebars' parser and compiler recurse per level and
 * slow down badly with depth (10,000 nested {{#if}} took 84 s to lint); no real prompt nests more
 * than a handful of blocks.
 */
export const maxBlockDepth = 64;

/** How deep `{{#…}}`/`{{^…}}` blocks nest, by one linear pass over the opening and closing tags. */
export function blockDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (const match of text.matchAll(/\{\{~?\s*([#^/])/g)) {
    depth = match[1] === '/' ? Math.max(0, depth - 1) : depth + 1;
    deepest = Math.max(deepest, depth);
  }
  return deepest;
}

function tooDeep(depth: number): TemplateScan {
  return { paths: [], partials: [], partialPositions: [], helpers: [], problems: [], syntaxError: `blocks are nested ${depth} deep; templates may nest {{#…}} blocks at most ${maxBlockDepth} deep` };
}

export function scanTemplate(text: string): TemplateScan {
  let scan = scans.get(text);
  if (scan === undefined) {
    const depth = text.includes('{{') ? blockDepth(text) : 0;
    scan = depth > maxBlockDepth ? tooDeep(depth) : (scanPlain(text) ?? scanParsed(text, loadHandlebars()));
    if (scans.size >= maxCachedScans) scans.clear();
    scans.set(text, scan);
  }
  return scan;
}
