// Finds the project root and the config files in it. Layout (DESIGN.md): providers.yaml, tools.yaml,
// agents/*.yaml, agents/layers/**/*.yaml, templates/*.yaml. Anything else in those folders is reported.

import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../errors.js';
import type { FileKind } from './types.js';

export interface DiscoveredFile {
  kind: FileKind;
  /** Relative to the root, `/`-separated. */
  file: string;
  absPath: string;
}

/** The nearest folder at or above `start` that holds providers.yaml, or undefined. */
export async function findRoot(start: string): Promise<string | undefined> {
  let folder = path.resolve(start);
  const isFile = await stat(folder).then((info) => info.isFile(), () => false);
  if (isFile) folder = path.dirname(folder);
  for (;;) {
    if (await stat(path.join(folder, 'providers.yaml')).then((info) => info.isFile(), () => false)) return folder;
    const parent = path.dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

const yamlName = /\.yaml$/;

export async function discoverFiles(root: string): Promise<{ files: DiscoveredFile[]; diagnostics: Diagnostic[] }> {
  const files: DiscoveredFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const add = (kind: FileKind, file: string): void => {
    files.push({ kind, file, absPath: path.join(root, file) });
  };
  const stray = (file: string, why: string, fix: string): void => {
    diagnostics.push({ severity: 'warning', code: 'load/stray-file', file, line: 1, col: 1, message: why, fix });
  };

  for (const [kind, file] of [['providers', 'providers.yaml'], ['tools', 'tools.yaml']] as const) {
    if (await stat(path.join(root, file)).then((info) => info.isFile(), () => false)) add(kind, file);
    else if (kind === 'tools') diagnostics.push({ severity: 'error', code: 'load/missing-file', file, line: 1, col: 1, message: 'tools.yaml is missing', fix: 'create it with `version: 1` and `tools: {}` (or run `agentpipe init`)' });
  }

  const visit = async (folder: string, kind: FileKind, recurse: boolean): Promise<void> => {
    const entries = await readdir(path.join(root, folder), { withFileTypes: true }).catch(() => []);
    entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
    for (const entry of entries) {
      const file = `${folder}/${entry.name}`;
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) {
        if (file === 'agents/layers') await visit(file, 'layer', true);
        else if (recurse) await visit(file, kind, true);
        else stray(file, `folder ${file} is not loaded: only ${folder}/*.yaml are ${kind}s`, kind === 'agent' ? 'move prompt layers to agents/layers/ and agents to agents/' : `move its files up into ${folder}/`);
      } else if (yamlName.test(entry.name)) add(kind, file);
      else if (entry.name.endsWith('.yml')) stray(file, `${file} is ignored: config files end in .yaml`, `rename it to ${file.slice(0, -4)}.yaml`);
      else stray(file, `${file} is not a YAML file and is ignored`, `move it out of ${folder}/`);
    }
  };
  await visit('agents', 'agent', false);
  await visit('templates', 'template', false);
  return { files, diagnostics };
}
