// The config files of a project held in memory (a git revision's tree, read by `agentpipe diff`),
// classified by the same layout rules as discover.ts, so that a revision loads without being
// written to disk file by file.

import path from 'node:path';
import type { Discovered, DiscoveredFile } from './discover.js';
import type { FileKind } from './types.js';

function kindOf(file: string): FileKind | undefined {
  if (file.split('/').some((part) => part.startsWith('.'))) return undefined;
  if (file === 'providers.yaml') return 'providers';
  if (file === 'tools.yaml') return 'tools';
  if (!file.endsWith('.yaml')) return undefined;
  if (file.startsWith('agents/layers/')) return 'layer';
  if (/^agents\/[^/]+$/.test(file)) return 'agent';
  if (/^templates\/[^/]+$/.test(file)) return 'template';
  if (file.startsWith('tests/')) return 'test';
  return undefined;
}

/** Relative paths (`/`-separated) of in-memory files -> what discoverFiles would have found on disk. */
export function discoverVirtual(root: string, files: ReadonlyMap<string, Buffer>): Discovered {
  const found: DiscoveredFile[] = [];
  for (const file of [...files.keys()].sort()) {
    const kind = kindOf(file);
    if (kind) found.push({ kind, file, absPath: path.join(root, file) });
  }
  const diagnostics: Discovered['diagnostics'] = [];
  if (!files.has('tools.yaml')) diagnostics.push({ severity: 'error', code: 'load/missing-file', file: 'tools.yaml', line: 1, col: 1, message: 'tools.yaml is missing', fix: 'create it with `version: 1` and `tools: {}` (or run `agentpipe init`)' });
  // The same order as on disk: providers, tools, then the rest by path.
  const rank = (entry: DiscoveredFile): number => (entry.kind === 'providers' ? 0 : entry.kind === 'tools' ? 1 : 2);
  found.sort((left, right) => rank(left) - rank(right) || (left.file < right.file ? -1 : left.file > right.file ? 1 : 0));
  return { files: found, refused: [], diagnostics };
}
