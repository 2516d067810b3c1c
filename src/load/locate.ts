// Source positions on demand. The happy path parses with js-yaml, which keeps no positions; the first
// time a diagnostic needs one, this re-parses that one file with `yaml` and walks its node tree.

import { createRequire } from 'node:module';
import type { Position, ValuePath } from './types.js';

type YamlModule = typeof import('yaml');
type Locator = (path: ValuePath, options?: { key?: boolean }) => Position;

let yamlModule: YamlModule | undefined;

/** `yaml` costs ~15 ms to load and `locate()` is synchronous, so it is required (its CJS build) on first use. */
export function yamlSync(): YamlModule {
  return (yamlModule ??= createRequire(import.meta.url)('yaml') as YamlModule);
}

export function createLocator(text: string): Locator {
  let cached: { lineCounter: InstanceType<YamlModule['LineCounter']>; contents: unknown } | undefined;
  return (path, options) => {
    const yaml = yamlSync();
    if (cached === undefined) {
      const lineCounter = new yaml.LineCounter();
      const document = yaml.parseDocument(text, { lineCounter, schema: 'core', uniqueKeys: false });
      cached = { lineCounter, contents: document.contents };
    }
    const offset = findOffset(yaml, cached.contents, path, options?.key === true);
    const position = cached.lineCounter.linePos(offset);
    return { line: position.line, col: position.col };
  };
}

/** Offset of the deepest node on `path` that exists (its key when `key` is set and it was reached). */
function findOffset(yaml: YamlModule, root: unknown, path: ValuePath, key: boolean): number {
  let node = root;
  let offset = startOf(root) ?? 0;
  for (let index = 0; index < path.length; index++) {
    const segment = path[index];
    let next: unknown;
    let keyOffset: number | undefined;
    if (yaml.isMap(node)) {
      const pair = node.items.find((item) => yaml.isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair) {
        next = pair.value;
        keyOffset = startOf(pair.key);
      }
    } else if (yaml.isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
    }
    if (next === undefined && keyOffset === undefined) return offset;
    offset = (key && index === path.length - 1 ? keyOffset : undefined) ?? startOf(next) ?? keyOffset ?? offset;
    node = next;
  }
  return offset;
}

function startOf(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range?.[0];
}
