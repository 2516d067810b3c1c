// Prompt rendering, for the runtime, `render` and `estimate`.
//
//   renderPrompt(agentOrStep, { inputs, steps?, item?, itemIndex?, run?, today? })
//     -> { system: SystemPart[], user: string, parts: [{ text, source, cacheable, kind, name }] }
//
// - Given a CompiledAgent, `inputs` are the agent's inputs. Given a CompiledStep, `inputs` are the
//   pipeline's inputs: the step's `with` is rendered first (over inputs, steps, item, item_index,
//   run, today) and gives the agent's inputs. A `with` value that is exactly `{{path}}` passes the
//   value through with its type (an array stays an array); anything else renders to a string.
// - Handlebars runs with strict, knownHelpersOnly and noEscape (prompts are not HTML). A variable
//   nothing provides throws PromptRenderError naming the part's file:line.
// - Values are DATA: an input, step output, tool result or search result is inserted as text and
//   never rendered again, so `{{...}}` inside a value comes out literally. Objects and arrays
//   print as indented JSON.
// - System parts: the agent's layers in listed order (`{{> layer/name}}` works inside them), then
//   the agent's own system text; trailing whitespace is trimmed and an empty part is dropped.
// - Helpers: json VALUE [SPACES=2], indent TEXT SPACES, join ARRAY [SEPARATOR=", "], eq A B,
//   upper TEXT, lower TEXT, today (the run's date, YYYY-MM-DD UTC unless `today` is given).

import { AgentpipeError, ExitCode } from '../errors.js';
import type { SystemPart } from '../providers/types.js';
import type { CompiledAgent, CompiledPrompt, CompiledStep, PromptPart, SourceRef } from './ir.js';
import { promptHelperNames } from '../prompt-language/helpers.js';
import { loadHandlebars, scanTemplate as analyzeTemplate } from '../prompt-language/scan.js';

export interface RenderContext {
  inputs: Readonly<Record<string, unknown>>;
  /** Outputs of finished steps, by step id. */
  steps?: Readonly<Record<string, { output: unknown }>>;
  item?: unknown;
  itemIndex?: number;
  /** Built-in `run` variable; default `{ id: 'render' }`. */
  run?: Readonly<Record<string, unknown>>;
  /** YYYY-MM-DD; default today's UTC date. */
  today?: string;
}

export interface RenderedPart {
  kind: PromptPart['kind'] | 'user';
  name: string;
  text: string;
  source: SourceRef;
  cacheable: boolean;
}

export interface RenderedPrompt {
  system: SystemPart[];
  user: string;
  /** The system parts then the user message, each with its source. */
  parts: RenderedPart[];
}

export class PromptRenderError extends AgentpipeError {
  constructor(message: string, readonly source: SourceRef) {
    super(`${source.file}:${source.line}: ${message}`, ExitCode.invalidConfig);
  }
}

type Template = (context: unknown) => string;
type HandlebarsEnvironment = ReturnType<ReturnType<typeof loadHandlebars>['create']>;
const compileOptions = { strict: true, knownHelpersOnly: true, noEscape: true, knownHelpers: Object.fromEntries(promptHelperNames.map((name) => [name, true])) };

function createEnvironment(): HandlebarsEnvironment {
  const environment = loadHandlebars().create();
  const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
  environment.registerHelper({
    json: (value: unknown, ...rest: unknown[]) => JSON.stringify(value, null, typeof rest[0] === 'number' ? rest[0] : 2),
    indent: (value: unknown, spaces: unknown) => text(value).replace(/^(?=.)/gm, ' '.repeat(Number(spaces) || 0)),
    join: (value: unknown, ...rest: unknown[]) => (Array.isArray(value) ? value.map(text).join(typeof rest[0] === 'string' ? rest[0] : ', ') : text(value)),
    eq: (left: unknown, right: unknown) => left === right,
    upper: (value: unknown) => text(value).toUpperCase(),
    lower: (value: unknown) => text(value).toLowerCase(),
    today: (options: { data?: { root?: { today?: string } } }) => options.data?.root?.today ?? '',
  });
  return environment;
}

/** Arrays and objects keep their shape for `{{#each}}` and paths, but print as JSON. */
export function asData(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string | number, unknown> | unknown[] = Array.isArray(value) ? value.map(asData) : Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, asData(entry)]));
  Object.defineProperty(copy, 'toString', { value: () => JSON.stringify(value, null, 2), enumerable: false });
  return copy;
}

interface Prepared {
  system: Template[];
  user: Template;
}
const prepared = new WeakMap<CompiledPrompt, Prepared>();

/** Refuses a partial cycle before Handlebars would recurse forever (compile already reports it). */
function checkPartialCycles(partials: Readonly<Record<string, string>>, source: SourceRef): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new PromptRenderError(`partial "${name}" includes itself (a cycle)`, source);
    state.set(name, 'visiting');
    for (const next of analyzeTemplate(partials[name] ?? '').partials) visit(next);
    state.set(name, 'done');
  };
  for (const name of Object.keys(partials)) visit(name);
}

function prepare(prompt: CompiledPrompt): Prepared {
  const cached = prepared.get(prompt);
  if (cached) return cached;
  checkPartialCycles(prompt.partials, prompt.user.source);
  const environment = createEnvironment();
  for (const [name, text] of Object.entries(prompt.partials)) environment.registerPartial(name, environment.compile(text, compileOptions));
  const result: Prepared = {
    system: prompt.system.map((part) => environment.compile(part.template, compileOptions) as Template),
    user: environment.compile(prompt.user.template, compileOptions) as Template,
  };
  prepared.set(prompt, result);
  return result;
}

/** The `{{...}}` around a 1-based line and 0-based column of a template, for error messages. */
function expressionAt(text: string, line: number | undefined, column: number | undefined): string | undefined {
  if (line === undefined || column === undefined) return undefined;
  const lineText = text.split('\n')[line - 1] ?? '';
  const start = lineText.lastIndexOf('{{', column);
  const end = lineText.indexOf('}}', column);
  return start >= 0 && end >= 0 ? lineText.slice(start, end + 2) : undefined;
}

function run(template: Template, context: unknown, source: SourceRef, text: string): string {
  try {
    return template(context);
  } catch (error) {
    const details = error as { message?: string; lineNumber?: number; column?: number };
    const first = String(details.message ?? error).split('\n')[0] ?? '';
    const missing = /^"(.*)" not defined in /.exec(first)?.[1];
    const expression = expressionAt(text, details.lineNumber, details.column);
    const message = missing !== undefined ? `nothing provides "${missing}"${expression ? ` in ${expression}` : ''}` : first;
    throw new PromptRenderError(message, source);
  }
}

const utcToday = (): string => new Date().toISOString().slice(0, 10);

/** Renders one template string over a step-level context (used for `with`, `when` and outputs). */
export function renderTemplate(text: string, context: RenderContext, source: SourceRef = { file: '<template>', line: 1 }): string {
  const template = createEnvironment().compile(text, compileOptions) as Template;
  return run(template, stepContext(context), source, text);
}

function stepContext(context: RenderContext): Record<string, unknown> {
  return {
    inputs: asData(context.inputs),
    steps: asData(context.steps ?? {}),
    item: asData(context.item ?? null),
    item_index: context.itemIndex ?? 0,
    run: context.run ?? { id: 'render' },
    today: context.today ?? utcToday(),
  };
}

const singlePath = /^\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}$/;

/** A step's `with` rendered into the agent's inputs. */
export function renderStepInputs(step: CompiledStep, context: RenderContext): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const scope = stepContext(context);
  for (const [name, text] of Object.entries(step.with)) {
    const path = singlePath.exec(text.trim())?.[1];
    if (path !== undefined) {
      let value: unknown = { ...scope, inputs: context.inputs, steps: context.steps ?? {}, item: context.item ?? null };
      for (const key of path.split('.')) {
        if (value === null || typeof value !== 'object' || !(key in value)) throw new PromptRenderError(`step "${step.id}" input "${name}": nothing provides "${path}"`, step.source);
        value = (value as Record<string, unknown>)[key];
      }
      values[name] = value;
    } else {
      values[name] = run(createEnvironment().compile(text, compileOptions) as Template, scope, step.source, text);
    }
  }
  return values;
}

/** The `when` of a step: false when it renders to "", "false", "0", "null" or "undefined". */
export function evaluateWhen(step: CompiledStep, context: RenderContext): boolean {
  if (step.when === undefined) return true;
  const text = renderTemplate(step.when, context, step.source).trim();
  return !['', 'false', '0', 'null', 'undefined'].includes(text);
}

export function renderPrompt(target: CompiledAgent | CompiledStep, context: RenderContext): RenderedPrompt {
  const isStep = 'agent' in target;
  const agent = isStep ? target.agent : target;
  const inputs = isStep ? renderStepInputs(target, context) : context.inputs;
  const complete: Record<string, unknown> = Object.fromEntries(Object.entries(agent.inputs).map(([name, spec]) => [name, spec.default ?? null]));
  Object.assign(complete, inputs);
  const scope = {
    agent: { name: agent.name, description: agent.description ?? '' },
    inputs: asData(complete),
    run: context.run ?? { id: 'render' },
    today: context.today ?? utcToday(),
  };
  const templates = prepare(agent.prompt);
  const parts: RenderedPart[] = [];
  agent.prompt.system.forEach((part, index) => {
    const text = run(templates.system[index] as Template, scope, part.source, part.template).trimEnd();
    if (text !== '') parts.push({ kind: part.kind, name: part.name, text, source: part.source, cacheable: part.cacheable });
  });
  const user = run(templates.user, scope, agent.prompt.user.source, agent.prompt.user.template);
  const system = parts.map((part) => ({ text: part.text, cacheable: part.cacheable }));
  parts.push({ kind: 'user', name: agent.name, text: user, source: agent.prompt.user.source, cacheable: false });
  return { system, user, parts };
}
