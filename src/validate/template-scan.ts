// What a Handlebars text refers to: variables, partials and helpers. Plain `{{path}}`, `{{helper
// arg "literal"}}` and `{{> partial}}` are read with a regular expression; anything else (blocks,
// comments, subexpressions) goes through Handlebars' own parser, imported only when needed.

import { allHelperNames } from '../prompt-language.js';

type HandlebarsModule = typeof import('handlebars');

export interface TemplateReferences {
  /** Dotted paths read as data, e.g. `inputs.question`, `steps.research.output.answer`. */
  variables: string[];
  partials: string[];
  helpers: string[];
  /** Set when the text is not valid Handlebars. */
  syntaxError?: string;
}

/** Built-in Handlebars helpers plus the ones agentpipe registers (shared with compile). */
export const knownHelpers: readonly string[] = allHelperNames;

const mustache = /\{\{\{?([^{}]*)\}?\}\}/g;
const pathPattern = String.raw`[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*`;
const simpleExpression = new RegExp(String.raw`^\s*(${pathPattern})((?:\s+(?:${pathPattern}|"[^"]*"|'[^']*'|-?\d+(?:\.\d+)?))*)\s*$`);
const simplePartial = /^\s*>\s*([A-Za-z0-9_/-]+)\s*$/;
const argumentPattern = new RegExp(String.raw`${pathPattern}|"[^"]*"|'[^']*'|-?\d+(?:\.\d+)?`, 'g');

let handlebars: HandlebarsModule | undefined;
// Prompts repeat across agents (and prepareScanner already read them): scan each distinct text once.
const simpleScans = new Map<string, TemplateReferences>();

/** Loads Handlebars once if any of `texts` needs the real parser. */
export async function prepareScanner(texts: Iterable<string>): Promise<void> {
  let needsParser = false;
  for (const text of texts) {
    if (simpleScans.has(text)) continue;
    const simple = scanSimple(text);
    if (simple) simpleScans.set(text, simple);
    else needsParser = true;
  }
  if (needsParser) handlebars ??= (await import('handlebars')).default;
}

export function scanTemplate(text: string): TemplateReferences {
  const simple = simpleScans.get(text) ?? scanSimple(text);
  if (simple) return copyReferences(simple);
  if (!handlebars) throw new Error('scanTemplate: call prepareScanner() with this text first');
  const references: TemplateReferences = { variables: [], partials: [], helpers: [] };
  try {
    walk(handlebars.parse(text), references, false);
  } catch (error) {
    // Handlebars' message is "Parse error on line N:", the text, a caret line, then what it expected.
    const lines = (error instanceof Error ? error.message : String(error)).split('\n');
    references.syntaxError = lines.length > 1 ? `${lines[0] ?? ''} ${lines[lines.length - 1] ?? ''}` : (lines[0] ?? 'invalid template');
  }
  return references;
}

function copyReferences(references: TemplateReferences): TemplateReferences {
  return { variables: [...references.variables], partials: [...references.partials], helpers: [...references.helpers] };
}

function scanSimple(text: string): TemplateReferences | undefined {
  const references: TemplateReferences = { variables: [], partials: [], helpers: [] };
  if (!text.includes('{{')) return text.includes('}}') ? undefined : references;
  const outside = text.replace(mustache, '');
  if (outside.includes('{{') || outside.includes('}}')) return undefined;
  for (const match of text.matchAll(mustache)) {
    const inner = match[1] ?? '';
    const partial = simplePartial.exec(inner);
    if (partial?.[1]) {
      references.partials.push(partial[1]);
      continue;
    }
    const expression = simpleExpression.exec(inner);
    if (!expression?.[1]) return undefined;
    const args = (expression[2] ?? '').match(argumentPattern) ?? [];
    if (args.length === 0 && !knownHelpers.includes(expression[1])) references.variables.push(expression[1]);
    else references.helpers.push(expression[1]);
    for (const argument of args) if (!/^["'\d-]/.test(argument) && argument !== 'true' && argument !== 'false') references.variables.push(argument);
  }
  return references;
}

interface Node {
  type: string;
  [field: string]: unknown;
}

// Inside {{#each}} and {{#with}} the context changes, so relative paths there are not checked.
function walk(node: unknown, references: TemplateReferences, scoped: boolean): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, references, scoped);
    return;
  }
  if (node === null || typeof node !== 'object' || typeof (node as Node).type !== 'string') return;
  const current = node as Node;
  switch (current.type) {
    case 'Program':
      walk(current['body'], references, scoped);
      return;
    case 'PathExpression':
      if (!current['data'] && !scoped && current['original'] !== 'this' && (current['depth'] as number) === 0) references.variables.push(String(current['original']));
      return;
    case 'PartialStatement':
    case 'PartialBlockStatement':
      references.partials.push(String((current['name'] as Node)['original']));
      walk(current['params'], references, scoped);
      return;
    case 'MustacheStatement':
    case 'SubExpression':
    case 'BlockStatement': {
      const path = current['path'] as Node;
      const params = (current['params'] as unknown[]) ?? [];
      const hash = current['hash'] as Node | undefined;
      const isHelper = current.type !== 'MustacheStatement' || params.length > 0 || hash !== undefined || knownHelpers.includes(String(path['original']));
      if (isHelper && path.type === 'PathExpression') references.helpers.push(String(path['original']));
      else walk(path, references, scoped);
      walk(params, references, scoped);
      if (hash) walk((hash['pairs'] as Node[]).map((pair) => pair['value']), references, scoped);
      const changesContext = current.type === 'BlockStatement' && ['each', 'with'].includes(String(path['original']));
      walk(current['program'], references, scoped || changesContext);
      walk(current['inverse'], references, scoped);
      return;
    }
    default:
      return;
  }
}
