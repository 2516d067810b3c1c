// Template variables that nothing provides. A text may read its declared inputs, the built-ins and,
// in a pipeline, the outputs of the steps it (transitively) needs; anything else is an error found
// before any model is called.

import type { Position, SourceFile, ValuePath } from '../load/types.js';
import { agentFields } from '../prompt-language/context.js';
import { allHelperNames, isKnownHelper } from '../prompt-language/helpers.js';
import { mustacheAt } from '../prompt-language/positions.js';
import { scanTemplate, type PathUse, type TemplatePosition } from '../prompt-language/scan.js';
import { report, type ValidationContext } from './context.js';
import { didYouMean } from './suggest.js';

export interface TextScope {
  /** Declared input names. */
  inputs: readonly string[];
  /** Collects the inputs that are read, for the "declared but never used" warning. */
  usedInputs: Set<string>;
  /** In a pipeline: step ids whose outputs are available here, and all step ids. */
  availableSteps?: ReadonlySet<string>;
  allSteps?: ReadonlySet<string>;
  /** `item` and `item_index` exist (a for_each step). */
  forEach?: boolean;
  /** Set when a text could not be parsed: which inputs are used is then unknown. */
  incomplete?: boolean;
  /** Says whose inputs these are, e.g. "agent `writer`" (used when the text is in a shared layer). */
  owner: string;
}

/** Roots whose fields are known (any other root's fields are not checked). */
const knownFields: Readonly<Record<string, readonly string[]>> = { agent: agentFields, today: [], item_index: [] };

/** Checks one Handlebars text; returns the layer partials it includes. */
export function checkText(context: ValidationContext, source: SourceFile, path: ValuePath, text: string, scope: TextScope): readonly string[] {
  const scan = scanTemplate(text);
  if (scan.syntaxError) {
    scope.incomplete = true;
    report(context, source, path, 'template/syntax', `invalid Handlebars: ${scan.syntaxError}`, { fix: 'check the {{ }} pairs and block helpers' });
    return [];
  }
  const at = (position: TemplatePosition): Position | undefined => positionInFile(source, path, text, position);
  for (const helper of scan.helpers) {
    if (!isKnownHelper(helper.name)) report(context, source, path, 'template/helper', `unknown helper \`${helper.name}\`${didYouMean(helper.name, allHelperNames)}`, { fix: `use one of: ${allHelperNames.join(', ')}`, position: at(helper) });
  }
  for (const problem of scan.problems) report(context, source, path, 'template/variable', problem.message, { fix: problem.fix, position: at(problem) });
  // Positions cost a second parse of the file: found only for a read that is reported.
  for (const use of scan.paths) checkVariable(context, source, path, use, scope, () => at(use));
  scan.partials.forEach((partial, index) => {
    if (!context.layerFiles.has(partial)) {
      const position = scan.partialPositions[index];
      report(context, source, path, 'template/partial', `unknown partial \`{{> ${partial}}}\`: there is no agents/layers/${partial}.yaml${didYouMean(partial, context.layerFiles)}`, { fix: 'create the layer or fix the name', ...(position ? { position: at(position) } : {}) });
    }
  });
  return scan.partials;
}

/** Where a position inside a template value is in the file: the `{{` of its mustache. */
export function positionInFile(source: SourceFile, path: ValuePath, text: string, at: TemplatePosition): Position | undefined {
  const mustache = mustacheAt(text, at);
  return mustache && source.locateWithin(path, mustache.text, mustache.occurrence);
}

function checkVariable(context: ValidationContext, source: SourceFile, path: ValuePath, use: PathUse, scope: TextScope, position: () => Position | undefined): void {
  const [root = '', second] = use.parts;
  const variable = use.parts.join('.');
  // Inside a block the written path differs from what it reads (`../x`, `q` in `{{#with inputs}}`): show both.
  const shown = use.written === variable ? `\`{{${variable}}}\`` : `\`{{${use.written}}}\` (root path \`${variable}\`)`;
  // An agent's texts see `agent`; a template's see `steps` (and `item` in a for_each step) instead.
  const roots = scope.allSteps ? ['inputs', 'steps', 'today', 'run', ...(scope.forEach ? ['item', 'item_index'] : [])] : ['inputs', 'agent', 'today', 'run'];
  const fields = knownFields[root];
  const problem = (message: string, fix: string): void => report(context, source, path, 'template/variable', message, { fix, position: position() });
  if (root === 'inputs') {
    if (second === undefined) return;
    scope.usedInputs.add(second);
    if (!scope.inputs.includes(second)) problem(`${shown}: \`${second}\` is not an input of ${scope.owner}${didYouMean(second, scope.inputs)}`, `declare \`${second}\` under inputs:, or fix the name`);
  } else if (root === 'steps' && scope.allSteps) {
    if (second === undefined) return;
    if (!scope.allSteps.has(second)) problem(`${shown}: there is no step \`${second}\`${didYouMean(second, scope.allSteps)}`, 'use the id of a step in this template');
    else if (scope.availableSteps && !scope.availableSteps.has(second)) problem(`${shown}: step \`${second}\` is not in this step's needs, so its output may not exist yet`, `add \`${second}\` to needs`);
  } else if ((root === 'item' || root === 'item_index') && !scope.forEach) {
    problem(`${shown} is only set in a step with for_each`, 'add for_each to the step, or remove the variable');
  } else if (!roots.includes(root)) {
    // `{{question}}` for `{{inputs.question}}` is the usual slip, in a prompt or an `{{#each}}` parameter.
    const suggestion = scope.inputs.includes(root) ? `, did you mean \`inputs.${variable}\`?` : didYouMean(root, roots);
    problem(`template variable ${shown} is not provided by anything${suggestion}`, `use inputs.NAME or a built-in (${roots.join(', ')})`);
  } else if (fields && second !== undefined && !fields.includes(second)) {
    const fix = fields.length > 0 ? `use ${fields.map((field) => `${root}.${field}`).join(' or ')}` : `use {{${root}}} itself`;
    problem(`${shown}: \`${root}\` has no field \`${second}\`${didYouMean(second, fields)}`, fix);
  }
}
