// An agent's `prompt:` -> CompiledPrompt: the listed layers in order, then the agent's own system
// text, each with its source line and a cacheable flag; every partial reachable from them; and every
// reference checked (unknown layer, partial cycle, unknown helper, variable nothing provides).

import type { Checked } from '../validate/types.js';
import type { AgentFile, LayerFile } from '../validate/types.gen.js';
import { sourceRef, type CompileDiagnostics } from './diagnostics.js';
import type { CompiledPrompt, PromptPart, SourceRef } from './ir.js';

/**
 * Variables whose value changes from run to run. A part that reads none of them (directly or
 * through a partial) renders the same every time, so providers may cache it.
 */
const perRunRoots = new Set(['inputs', 'steps', 'item', 'item_index', 'run', 'today']);

/** True when the template reads no per-run variable itself (partials are checked by the caller). */
function readsPerRunState(scan: TemplateScan): boolean {
  return scan.helpers.some((helper) => helper.name === 'today') || scan.paths.some((path) => perRunRoots.has(path.parts[0] ?? ''));
}
import { agentFields } from '../prompt-language/context.js';
import { isKnownHelper, promptHelperNames } from '../prompt-language/helpers.js';
import { scanTemplate, type TemplateScan } from '../prompt-language/scan.js';

interface LayerInfo {
  source: SourceRef;
  analysis: TemplateScan;
  /** This layer and every layer reachable through its partials. */
  closure: Set<string>;
  cacheable: boolean;
}

/** Per-compile cache of layer analyses, shared by every agent. */
export class LayerIndex {
  private readonly infos = new Map<string, LayerInfo | undefined>();
  private readonly visiting = new Set<string>();

  constructor(
    private readonly layers: ReadonlyMap<string, Checked<LayerFile>>,
    private readonly diagnostics: CompileDiagnostics,
  ) {}

  text(name: string): string | undefined {
    return this.layers.get(name)?.value.text;
  }

  /** undefined when the layer does not exist (the caller reports it where it is named). */
  info(name: string): LayerInfo | undefined {
    if (this.infos.has(name)) return this.infos.get(name);
    const layer = this.layers.get(name);
    if (!layer) return undefined;
    const source = sourceRef(layer.source, ['text']);
    const analysis = scanTemplate(layer.value.text);
    const info: LayerInfo = { source, analysis, closure: new Set([name]), cacheable: !readsPerRunState(analysis) };
    reportTemplateProblems(analysis, source, this.diagnostics);
    this.visiting.add(name);
    for (const [index, partial] of analysis.partials.entries()) {
      if (this.visiting.has(partial)) {
        // At the `{{>` that closes the cycle, not the start of the text.
        this.diagnostics.errorInTemplate(source, analysis.partialPositions[index] ?? { line: 1, col: 1 }, 'ref/partial-cycle', `layer "${name}" includes "${partial}", which includes it back (a partial cycle)`);
        info.cacheable = false;
        continue;
      }
      const included = this.info(partial);
      if (!included) {
        this.diagnostics.errorInTemplate(source, { line: 1, col: 1 }, 'ref/layer', `layer "${name}" includes {{> ${partial}}}, which is not a file under agents/layers/`);
        continue;
      }
      for (const reached of included.closure) info.closure.add(reached);
      info.cacheable &&= included.cacheable;
    }
    this.visiting.delete(name);
    this.infos.set(name, info);
    return info;
  }
}

export function reportTemplateProblems(analysis: TemplateScan, source: SourceRef, diagnostics: CompileDiagnostics): void {
  if (analysis.syntaxError) diagnostics.errorInTemplate(source, { line: 1, col: 1 }, 'template/syntax', `template does not parse: ${analysis.syntaxError}`);
  for (const helper of analysis.helpers) {
    if (!isKnownHelper(helper.name)) diagnostics.errorInTemplate(source, helper, 'template/helper', `unknown helper "${helper.name}"`, `helpers are ${promptHelperNames.join(', ')} and the Handlebars built-ins`);
  }
}

/**
 * Checks each `root.name...` a template reads against what its context provides. `roots` maps an
 * allowed root to the names allowed below it (undefined: anything; empty set: the root alone).
 */
export function checkReferences(analysis: TemplateScan, source: SourceRef, roots: Record<string, ReadonlySet<string> | undefined>, diagnostics: CompileDiagnostics, what: string): void {
  for (const problem of analysis.problems) diagnostics.errorInTemplate(source, problem, 'template/unknown-variable', `${what}: ${problem.message}`, problem.fix);
  for (const path of analysis.paths) {
    const [root = '', name] = path.parts;
    if (!(root in roots)) {
      const allowed = Object.keys(roots).join(', ');
      diagnostics.errorInTemplate(source, path, 'template/unknown-variable', `${what} reads "${path.parts.join('.')}", but nothing provides "${root}" (available: ${allowed})`);
      continue;
    }
    const names = roots[root];
    if (names && name !== undefined && !names.has(name)) {
      const known = [...names].join(', ') || 'none';
      const why = root === 'steps' ? `"${name}" is not a step it needs, directly or through others (it needs: ${known})` : `which is not declared (declared: ${known})`;
      diagnostics.errorInTemplate(source, path, 'template/unknown-variable', `${what} reads "${root}.${name}", ${why}`);
    }
  }
}

export function compilePrompt(agent: Checked<AgentFile>, index: LayerIndex, diagnostics: CompileDiagnostics): CompiledPrompt {
  const prompt = agent.value.prompt;
  const roots = { agent: new Set(agentFields), inputs: new Set(Object.keys(agent.value.inputs ?? {})), today: new Set<string>(), run: undefined };
  const what = `agent "${agent.value.name}"`;
  const system: PromptPart[] = [];
  const partials: Record<string, string> = {};
  (prompt.layers ?? []).forEach((name, position) => {
    const info = index.info(name);
    if (!info) {
      diagnostics.error(agent.source, ['prompt', 'layers', position], 'ref/layer', `layer "${name}" is not a file under agents/layers/ (expected agents/layers/${name}.yaml)`);
      return;
    }
    for (const reached of info.closure) {
      const reachedInfo = index.info(reached);
      partials[reached] = index.text(reached) ?? '';
      if (reachedInfo) checkReferences(reachedInfo.analysis, reachedInfo.source, roots, diagnostics, `layer "${reached}" (used by ${what})`);
    }
    system.push({ kind: 'layer', name, template: index.text(name) ?? '', source: info.source, cacheable: info.cacheable });
  });
  const own = (path: string[], template: string): { source: SourceRef; cacheable: boolean } => {
    const source = sourceRef(agent.source, path);
    const analysis = scanTemplate(template);
    reportTemplateProblems(analysis, source, diagnostics);
    checkReferences(analysis, source, roots, diagnostics, what);
    let cacheable = !readsPerRunState(analysis);
    for (const partial of analysis.partials) {
      const info = index.info(partial);
      if (!info) diagnostics.errorInTemplate(source, { line: 1, col: 1 }, 'ref/layer', `${what} includes {{> ${partial}}}, which is not a file under agents/layers/`);
      for (const reached of info?.closure ?? []) partials[reached] = index.text(reached) ?? '';
      cacheable &&= info?.cacheable ?? false;
    }
    return { source, cacheable };
  };
  if (prompt.system !== undefined) {
    const { source, cacheable } = own(['prompt', 'system'], prompt.system);
    system.push({ kind: 'system', name: agent.value.name, template: prompt.system, source, cacheable });
  }
  const user = own(['prompt', 'user'], prompt.user);
  return { system, user: { template: prompt.user, source: user.source }, partials };
}
