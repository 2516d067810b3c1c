// Layers that include themselves, directly (`{{> persona/a}}` inside persona/a) or through others
// (a includes b, b includes a). Render and run refuse them; lint reports each cycle once, at the
// `{{>` that closes it in the first of its layers (by name), with the whole path.

import { scanTemplate } from '../prompt-language/scan.js';
import { positionInFile } from './check-variables.js';
import { report, type ValidationContext } from './context.js';

export function checkLayerCycles(context: ValidationContext): void {
  const edges = new Map<string, Array<{ to: string; index: number }>>();
  const scans = new Map<string, ReturnType<typeof scanTemplate>>();
  for (const [name, layer] of context.layers) {
    const scan = scanTemplate(layer.value.text);
    scans.set(name, scan);
    edges.set(name, scan.partials.map((to, index) => ({ to, index })));
  }
  const reported = new Set<string>();
  for (const start of [...context.layers.keys()].sort()) {
    for (const edge of edges.get(start) ?? []) {
      const path = pathBack(edges, edge.to, start);
      if (!path) continue;
      const cycle = [start, ...path];
      // One report per cycle: at its alphabetically first layer, whose edge starts it.
      const members = cycle.slice(0, -1);
      const key = [...members].sort().join('\n');
      if (reported.has(key) || [...members].sort()[0] !== start) continue;
      reported.add(key);
      const layer = context.layers.get(start)!;
      const at = scans.get(start)!.partialPositions[edge.index];
      const position = at ? positionInFile(layer.source, ['text'], layer.value.text, at) : undefined;
      const message = cycle.length === 2 ? `layer \`${start}\` includes itself (\`{{> ${start}}}\`)` : `layers include each other in a cycle: ${cycle.join(' -> ')}`;
      report(context, layer.source, ['text'], 'ref/partial-cycle', message, { fix: 'remove one of these {{> }} includes', ...(position ? { position } : {}) });
    }
  }
}

/** A path of layer names from `from` to `target` (ending with `target`), or undefined. */
function pathBack(edges: Map<string, Array<{ to: string }>>, from: string, target: string): string[] | undefined {
  const seen = new Set<string>();
  const walk = (node: string): string[] | undefined => {
    if (node === target) return [node];
    if (seen.has(node)) return undefined;
    seen.add(node);
    for (const edge of edges.get(node) ?? []) {
      const rest = walk(edge.to);
      if (rest) return [node, ...rest];
    }
    return undefined;
  };
  return walk(from);
}
