// Finds the project root and the config files in it. Layout (DESIGN.md): providers.yaml, tools.yaml,
// agents/*.yaml, agents/layers/**/*.yaml, templates/*.yaml. Anything else in those folders is reported.

import { lstat, readdir, realpath, stat } from 'node:fs/promises';
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

export interface Discovered {
  files: DiscoveredFile[];
  /** Config files refused unread (a symlink out of the project): `diagnostics` says why. */
  refused: Array<{ kind: FileKind; file: string }>;
  diagnostics: Diagnostic[];
}

/** What a folder entry is once symlinks are followed; `outside` when it resolves out of the root. */
type EntryType = 'file' | 'directory' | 'other' | 'outside' | 'broken';

function isInside(target: string, realRoot: string): boolean {
  return target === realRoot || target.startsWith(`${realRoot}${path.sep}`);
}

/**
 * Symlinks are followed only inside the project, as the tools sandbox follows them: a config file
 * or folder that resolves elsewhere was not reviewed in this repo. Entries that are not links cost
 * no system call.
 */
async function followLink(absPath: string, realRoot: string): Promise<{ type: EntryType; target?: string }> {
  const target = await realpath(absPath).catch(() => undefined);
  if (target === undefined) return { type: 'broken' };
  if (!isInside(target, realRoot)) return { type: 'outside', target };
  const info = await stat(target).catch(() => undefined);
  return { type: info?.isDirectory() ? 'directory' : info?.isFile() ? 'file' : 'other', target };
}

/**
 * `agentpipe test` files: every .yaml file under tests/, at any depth. The folder also holds cassettes (JSON) and
 * prompt snapshots (text), so anything that is not YAML is left alone without a warning.
 */
async function visitTests(root: string, realRoot: string, folder: string, add: (kind: FileKind, file: string) => void, badLink: (file: string, kind: FileKind, link: { type: EntryType; target?: string }) => boolean, depth = 0): Promise<void> {
  if (depth > 16) return;
  const entries = await readdir(path.join(root, folder), { withFileTypes: true }).catch(() => []);
  entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const file = `${folder}/${entry.name}`;
    const link = entry.isSymbolicLink() ? await followLink(path.join(root, file), realRoot) : undefined;
    if (link && badLink(file, 'test', link)) continue;
    if (link ? link.type === 'directory' : entry.isDirectory()) {
      if (!link) await visitTests(root, realRoot, file, add, badLink, depth + 1);
    } else if (yamlName.test(entry.name) && (link ? link.type === 'file' : entry.isFile())) add('test', file);
  }
}

export async function discoverFiles(root: string): Promise<Discovered> {
  const files: DiscoveredFile[] = [];
  const refused: Discovered['refused'] = [];
  const diagnostics: Diagnostic[] = [];
  const realRoot = await realpath(root).catch(() => root);
  // `file` is already normal (`agents/x.yaml`): on POSIX a join is a concatenation, and this runs per file.
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const absolute = path.sep === '/' ? (file: string): string => prefix + file : (file: string): string => path.join(root, file);
  const add = (kind: FileKind, file: string): void => {
    files.push({ kind, file, absPath: absolute(file) });
  };
  const stray = (file: string, why: string, fix: string): void => {
    diagnostics.push({ severity: 'warning', code: 'load/stray-file', file, line: 1, col: 1, message: why, fix });
  };
  /** Reports a link that cannot be followed; true when `file` was one. */
  const badLink = (file: string, kind: FileKind, link: { type: EntryType; target?: string }): boolean => {
    if (link.type !== 'outside' && link.type !== 'broken') return false;
    const message = link.type === 'outside' ? `${file} is a symlink to ${link.target ?? 'a path'}, outside the project; it is not read` : `${file} is a broken symlink`;
    const fix = link.type === 'outside' ? 'copy the file into the project (config is reviewed in this repo), or remove the link' : 'remove the link or point it at a file in the project';
    diagnostics.push({ severity: 'error', code: 'load/symlink', file, line: 1, col: 1, message, fix });
    if (yamlName.test(file)) refused.push({ kind, file });
    return true;
  };

  for (const [kind, file] of [['providers', 'providers.yaml'], ['tools', 'tools.yaml']] as const) {
    const absPath = path.join(root, file);
    const info = await lstat(absPath).catch(() => undefined);
    const link = info?.isSymbolicLink() ? await followLink(absPath, realRoot) : undefined;
    if (link && badLink(file, kind, link)) continue;
    if (link ? link.type === 'file' : info?.isFile()) add(kind, file);
    else if (kind === 'tools' && info?.isDirectory()) diagnostics.push({ severity: 'error', code: 'load/missing-file', file, line: 1, col: 1, message: 'tools.yaml is a folder, not a file', fix: 'move the folder away and create the file tools.yaml with `version: 1` and `tools: {}`' });
    else if (kind === 'tools') diagnostics.push({ severity: 'error', code: 'load/missing-file', file, line: 1, col: 1, message: 'tools.yaml is missing', fix: 'create it with `version: 1` and `tools: {}` (or run `agentpipe init`)' });
  }

  /** `realChain`: the real paths of this folder and the folders it is in, to stop at a link loop. */
  const visit = async (folder: string, kind: FileKind, recurse: boolean, realChain: readonly string[]): Promise<void> => {
    const realFolder = realChain[realChain.length - 1] ?? realRoot;
    const entries = await readdir(path.join(root, folder), { withFileTypes: true }).catch(() => []);
    entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
    for (const entry of entries) {
      const file = `${folder}/${entry.name}`;
      if (entry.name.startsWith('.')) continue;
      const link = entry.isSymbolicLink() ? await followLink(path.join(root, file), realRoot) : undefined;
      if (link && badLink(file, file === 'agents/layers' ? 'layer' : kind, link)) continue;
      if (link ? link.type === 'directory' : entry.isDirectory()) {
        const realSubfolder = link?.target ?? path.join(realFolder, entry.name);
        if (realChain.includes(realSubfolder)) stray(file, `${file} links back to a folder it is in; it is not followed`, 'remove the link');
        else if (file === 'agents/layers') await visit(file, 'layer', true, [...realChain, realSubfolder]);
        else if (recurse) await visit(file, kind, true, [...realChain, realSubfolder]);
        else stray(file, `folder ${file} is not loaded: only ${folder}/*.yaml are ${kind}s`, kind === 'agent' ? 'move prompt layers to agents/layers/ and agents to agents/' : `move its files up into ${folder}/`);
      } else if (yamlName.test(entry.name)) {
        if (link ? link.type === 'file' : entry.isFile()) add(kind, file);
        else {
          // A FIFO or device would block or never end when read.
          diagnostics.push({ severity: 'error', code: 'load/not-text', file, line: 1, col: 1, message: `${file} is not a regular file; it is not read`, fix: 'replace it with a YAML file, or remove it' });
          refused.push({ kind, file });
        }
      } else if (entry.name.endsWith('.yml')) stray(file, `${file} is ignored: config files end in .yaml`, `rename it to ${file.slice(0, -4)}.yaml`);
      else stray(file, `${file} is not a YAML file and is ignored`, `move it out of ${folder}/`);
    }
  };
  for (const [folder, kind] of [['agents', 'agent'], ['templates', 'template']] as const) {
    // The config folders themselves may be links too (`agents -> ../shared/agents`).
    const absPath = path.join(root, folder);
    const info = await lstat(absPath).catch(() => undefined);
    const link = info?.isSymbolicLink() ? await followLink(absPath, realRoot) : undefined;
    if (link && badLink(folder, kind, link)) continue;
    await visit(folder, kind, false, [realRoot, link?.target ?? path.join(realRoot, folder)]);
  }
  await visitTests(root, realRoot, 'tests', add, badLink);
  return { files, refused, diagnostics };
}
