// Source positions on demand. The happy path parses with js-yaml, which keeps no positions; the first
// time a diagnostic needs one, this re-parses that one file with `yaml` and walks its node tree.

import { createRequire } from 'node:module';
import type { Position, ValuePath } from './types.js';

type YamlModule = typeof import('yaml');
type Locator = (path: ValuePath, options?: { key?: boolean }) => Position;
type WithinLocator = (path: ValuePath, needle: string, occurrence: number) => Position | undefined;

let yamlModule: YamlModule | undefined;

/** `yaml` costs ~15 ms to load and `locate()` is synchronous, so it is required (its CJS build) on first use. */
export function yamlSync(): YamlModule {
  return (yamlModule ??= createRequire(import.meta.url)('yaml') as YamlModule);
}

export interface Locators {
  locate: Locator;
  locateWithin: WithinLocator;
}

export function createLocators(text: string): Locators {
  let cached: { lineCounter: InstanceType<YamlModule['LineCounter']>; contents: unknown } | undefined;
  const parsed = (): NonNullable<typeof cached> => {
    if (cached === undefined) {
      const yaml = yamlSync();
      const lineCounter = new yaml.LineCounter();
      const document = yaml.parseDocument(text, { lineCounter, schema: 'core', uniqueKeys: false });
      cached = { lineCounter, contents: document.contents };
    }
    return cached;
  };
  return {
    locate: (path, options) => {
      const { lineCounter, contents } = parsed();
      const position = lineCounter.linePos(findOffset(yamlSync(), contents, path, options?.key === true));
      return { line: position.line, col: position.col };
    },
    locateWithin: (path, needle, occurrence) => {
      const { lineCounter, contents } = parsed();
      const range = rangeOf(yamlSync(), contents, path);
      if (!range || needle === '') return undefined;
      let found = text.indexOf(needle, range[0]);
      for (let count = 0; count < occurrence && found !== -1; count++) found = text.indexOf(needle, found + 1);
      if (found === -1 || found + needle.length > range[1]) return undefined;
      const position = lineCounter.linePos(found);
      return { line: position.line, col: position.col };
    },
  };
}

/** Source range [start, end) of the scalar at exactly `path`, or undefined. */
function rangeOf(yaml: YamlModule, root: unknown, path: ValuePath): [number, number] | undefined {
  let node = root;
  for (const segment of path) {
    if (yaml.isMap(node)) node = node.items.find((item) => yaml.isScalar(item.key) && String(item.key.value) === String(segment))?.value;
    else if (yaml.isSeq(node) && typeof segment === 'number') node = node.items[segment];
    else return undefined;
  }
  if (!yaml.isScalar(node)) return undefined;
  const range = (node as { range?: [number, number, number] }).range;
  return range ? [range[0], range[1]] : undefined;
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
