// What a step reads from earlier steps, for `estimate`: which outputs its `with` inserts (their
// tokens are added as data), and placeholder outputs so that its templates render without a run.

import type { CompiledPipeline, CompiledStep } from '../compile/ir.js';
import { scanTemplate as analyzeTemplate } from '../prompt-language/scan.js';

/** Step-output paths (`['outline', 'output', 'sections']`) read by a step's `with` and `when`. */
function stepPaths(step: CompiledStep): string[][] {
  const texts = [...Object.values(step.with), ...(step.when ? [step.when] : [])];
  return texts.flatMap((text) => analyzeTemplate(text).paths.filter((path) => path.parts[0] === 'steps').map((path) => path.parts.slice(1)));
}

export interface StepReferences {
  /** Step ids whose output the `with` inserts, once per mention. */
  whole: string[];
  /** The step a for_each iterates over; each item is about 1/items of its output. */
  fannedFrom?: string;
}

export function stepReferences(step: CompiledStep): StepReferences {
  const whole = Object.values(step.with).flatMap((text) =>
    analyzeTemplate(text)
      .paths.filter((path) => path.parts[0] === 'steps' && path.parts[1] !== undefined)
      .map((path) => path.parts[1] as string),
  );
  const [root, id] = step.forEach?.split('.') ?? [];
  return root === 'steps' && id !== undefined ? { whole, fannedFrom: id } : { whole };
}

type Tree = { [key: string]: Tree | unknown[] | string };

/**
 * `steps` for rendering without a run: every path a template reads exists. A for_each path holds
 * `items` placeholder strings; any other leaf is `<steps.ID.output...>`.
 */
export function placeholderStepOutputs(pipeline: CompiledPipeline, items: ReadonlyMap<string, number>): Record<string, { output: unknown }> {
  const root: Tree = {};
  const set = (parts: string[], leaf: (label: string) => unknown[] | string): void => {
    let node: Tree = root;
    parts.forEach((part, index) => {
      const label = `<steps.${parts.slice(0, index + 1).join('.')}>`;
      const existing = node[part];
      if (index === parts.length - 1) {
        if (existing === undefined || typeof existing === 'string') node[part] = leaf(label);
        return;
      }
      if (existing === undefined || typeof existing === 'string' || Array.isArray(existing)) node[part] = {};
      node = node[part] as Tree;
    });
  };
  for (const step of pipeline.steps) {
    for (const path of stepPaths(step)) if (path.length > 0) set(path, (label) => label);
    if (step.forEach?.startsWith('steps.')) {
      const count = items.get(step.id) ?? 1;
      set(step.forEach.split('.').slice(1), (label) => Array.from({ length: count }, (_unused, index) => `${label.slice(0, -1)}[${index}]>`));
    }
  }
  for (const step of pipeline.steps) if (!(step.id in root)) root[step.id] = { output: `<steps.${step.id}.output>` };
  return root as Record<string, { output: unknown }>;
}
