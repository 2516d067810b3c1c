// `lint a/b.yaml agents/`: the whole project is checked (references need it), and only diagnostics
// about files under the given paths are shown.

import path from 'node:path';
import type { Diagnostic } from '../../errors.js';

export function relevantTo(root: string, paths: readonly string[]): (diagnostic: Diagnostic) => boolean {
  const targets = paths.map((given) => path.resolve(given));
  if (targets.length === 0 || targets.some((target) => target === root)) return () => true;
  return (diagnostic) => {
    if (diagnostic.code === 'load/no-project') return true;
    const file = path.join(root, diagnostic.file);
    return targets.some((target) => file === target || file.startsWith(`${target}${path.sep}`));
  };
}
