// Template variables that nothing provides. A text may read its declared inputs, the built-ins and,
// in a pipeline, the outputs of the steps it (transitively) needs; anything else is an error found
// before any model is called.

import type { SourceFile, ValuePath } from '../load/types.js';
import { report, type ValidationContext } from './context.js';
import { didYouMean } from './suggest.js';
import { knownHelpers, scanTemplate } from './template-scan.js';

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

const alwaysAvailable = ['inputs', 'agent', 'today', 'run'];

/** Checks one Handlebars text; returns the layer partials it includes. */
export function checkText(context: ValidationContext, source: SourceFile, path: ValuePath, text: string, scope: TextScope): string[] {
  const references = scanTemplate(text);
  if (references.syntaxError) {
    scope.incomplete = true;
    report(context, source, path, 'template/syntax', `invalid Handlebars: ${references.syntaxError}`, { fix: 'check the {{ }} pairs and block helpers' });
    return [];
  }
  for (const helper of references.helpers) {
    if (!knownHelpers.includes(helper)) report(context, source, path, 'template/helper', `unknown helper \`${helper}\`${didYouMean(helper, knownHelpers)}`, { fix: `use one of: ${knownHelpers.join(', ')}` });
  }
  for (const variable of references.variables) checkVariable(context, source, path, variable, scope);
  for (const partial of references.partials) {
    if (!context.layerFiles.has(partial)) {
      report(context, source, path, 'template/partial', `unknown partial \`{{> ${partial}}}\`: there is no agents/layers/${partial}.yaml${didYouMean(partial, context.layerFiles)}`, { fix: 'create the layer or fix the name' });
    }
  }
  return references.partials;
}

function checkVariable(context: ValidationContext, source: SourceFile, path: ValuePath, variable: string, scope: TextScope): void {
  const [root = '', second] = variable.split('.');
  const roots = [...alwaysAvailable, ...(scope.allSteps ? ['steps'] : []), ...(scope.forEach ? ['item', 'item_index'] : [])];
  const problem = (message: string, fix: string): void => report(context, source, path, 'template/variable', message, { fix });
  if (root === 'inputs') {
    if (second === undefined) return;
    scope.usedInputs.add(second);
    if (!scope.inputs.includes(second)) problem(`\`{{${variable}}}\`: \`${second}\` is not an input of ${scope.owner}${didYouMean(second, scope.inputs)}`, `declare \`${second}\` under inputs:, or fix the name`);
  } else if (root === 'steps' && scope.allSteps) {
    if (second === undefined) return;
    if (!scope.allSteps.has(second)) problem(`\`{{${variable}}}\`: there is no step \`${second}\`${didYouMean(second, scope.allSteps)}`, 'use the id of a step in this template');
    else if (scope.availableSteps && !scope.availableSteps.has(second)) problem(`\`{{${variable}}}\`: step \`${second}\` is not in this step's needs, so its output may not exist yet`, `add \`${second}\` to needs`);
  } else if ((root === 'item' || root === 'item_index') && !scope.forEach) {
    problem(`\`{{${variable}}}\` is only set in a step with for_each`, 'add for_each to the step, or remove the variable');
  } else if (!roots.includes(root)) {
    problem(`template variable \`{{${variable}}}\` is not provided by anything${didYouMean(root, roots)}`, `use inputs.NAME or a built-in (${roots.join(', ')})`);
  }
}
