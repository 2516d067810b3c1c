// The load stage: find the project, read every config file safely, parse, interpolate env vars.
// Never throws for bad input: every problem is a Diagnostic in `RawProject.diagnostics`.

import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../errors.js';
import { registerSecretsFromEnv } from '../secrets.js';
import { discoverFiles, findRoot, type DiscoveredFile } from './discover.js';
import { discoverVirtual } from './virtual.js';
import { loadDotenv, type Env } from './dotenv.js';
import { decodeConfigFile } from './encoding.js';
import { interpolate, pathKey, type InterpolatedSources, type UnsetVariable } from './interpolate.js';
import { registerProjectSecrets } from './secrets.js';
import { createLocators } from './locate.js';
import { parseYaml } from './parse.js';
import type { RawProject, SourceFile } from './types.js';

export type { Env } from './dotenv.js';
export type { FileKind, Position, RawProject, SourceFile, ValuePath, MissingEnvVar, UnloadedFile } from './types.js';

/** Config files are small; anything bigger is a mistake or an attack, and is not read at all. */
export const maxFileBytes = 1024 * 1024;

export interface LoadOptions {
  /** Where to start looking for providers.yaml (upward). Default: process.cwd(). */
  cwd?: string;
  /** A file inside the project: the search starts from its folder. */
  file?: string;
  /** Paths given on the command line: the search starts from the first one. */
  paths?: string[];
  /** Environment for `${NAME}`; `.env` at the root fills in what it lacks. Default: process.env. */
  env?: Env;
  /**
   * Parses shared between loads of two revisions of one project (`agentpipe diff`): a file whose
   * path and text are unchanged is parsed, and located, once. Only files without `${` are shared,
   * since interpolation depends on the environment.
   */
  cache?: LoadCache;
  /**
   * The project's files in memory (relative path -> bytes) instead of on disk under `cwd`, which is
   * then the root as is (an empty folder serves: tools resolve their workspace in it).
   */
  files?: ReadonlyMap<string, Buffer>;
}

export type LoadCache = Map<string, { parsed: ReturnType<typeof parseYaml>; locators: ReturnType<typeof createLocators> }>;

/** The nearest providers.yaml at or above `folder` that is a folder (a mistake worth naming), if any. */
async function providersFolder(folder: string): Promise<string | undefined> {
  for (let current = folder; ; current = path.dirname(current)) {
    const candidate = path.join(current, 'providers.yaml');
    if (await stat(candidate).then((info) => info.isDirectory(), () => false)) return candidate;
    if (path.dirname(current) === current) return undefined;
  }
}

export async function loadProject(options: LoadOptions = {}): Promise<RawProject> {
  const start = path.resolve(options.cwd ?? process.cwd(), options.file ?? options.paths?.[0] ?? '.');
  const foundRoot = options.files ? (options.files.has('providers.yaml') ? start : undefined) : await findRoot(start);
  const root = foundRoot ?? (await stat(start).then((info) => (info.isDirectory() ? start : path.dirname(start)), () => start));
  const env = await loadDotenv(root, options.env ?? process.env);
  registerSecretsFromEnv(env);
  if (foundRoot === undefined) {
    // Name the folder searched (not the agent file given), and a providers.yaml that is a folder.
    const searched = options.files ? start : await stat(root).then(() => root, () => path.dirname(root));
    const folderNamed = options.files ? undefined : await providersFolder(searched);
    const message = `no providers.yaml in ${searched} or any folder above it${folderNamed ? ` (${folderNamed} is a folder, not a file)` : ''}`;
    const diagnostic: Diagnostic = { severity: 'error', code: 'load/no-project', file: 'providers.yaml', line: 1, col: 1, message, fix: 'run agentpipe inside your config repo, or create one with `agentpipe init`' };
    return { root, files: [], diagnostics: [diagnostic], env, missingEnv: [], unloaded: [] };
  }
  const discovered = options.files ? discoverVirtual(root, options.files) : await discoverFiles(root);
  const diagnostics = [...discovered.diagnostics];
  const missingEnv: RawProject['missingEnv'] = [];
  const files: SourceFile[] = [];
  // Synchronous reads on purpose: a thousand small files read faster one after the other than as a
  // thousand in-flight promises, and nothing else runs meanwhile.
  const unloaded = [...discovered.refused];
  for (const entry of discovered.files) {
    const result = loadFile(entry, env, options.cache, options.files);
    diagnostics.push(...result.diagnostics);
    if (result.source) files.push(result.source);
    else unloaded.push({ kind: entry.kind, file: entry.file });
    for (const variable of result.unset) missingEnv.push({ ...variable, file: entry.file });
  }
  registerProjectSecrets(files, env);
  return { root, files, diagnostics, env, missingEnv, unloaded };
}

interface LoadedFile {
  source?: SourceFile;
  diagnostics: Diagnostic[];
  unset: UnsetVariable[];
}

function loadFile(entry: DiscoveredFile, env: Env, cache?: LoadCache, memory?: ReadonlyMap<string, Buffer>): LoadedFile {
  const { file, absPath, kind } = entry;
  const problem = (code: string, message: string, fix: string): LoadedFile => ({ diagnostics: [{ severity: 'error', code, file, line: 1, col: 1, message, fix }], unset: [] });
  let buffer: Buffer;
  let descriptor: number | undefined;
  const held = memory?.get(file);
  if (held) {
    if (held.length > maxFileBytes) return problem('load/too-large', `file is ${(held.length / 1024 / 1024).toFixed(1)} MB; config files may be at most 1 MB`, 'split it, or move large data out of the config repo');
    buffer = held;
  } else try {
    descriptor = openSync(absPath, 'r');
    // The size is checked on the open file, before a single byte is read.
    const size = fstatSync(descriptor).size;
    if (size > maxFileBytes) return problem('load/too-large', `file is ${(size / 1024 / 1024).toFixed(1)} MB; config files may be at most 1 MB`, 'split it, or move large data out of the config repo');
    buffer = readFileSync(descriptor);
  } catch {
    return problem('load/unreadable', 'cannot read the file', 'check that it is a readable file');
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
  const decoded = decodeConfigFile(buffer, file);
  if ('binary' in decoded) return { diagnostics: [decoded.binary], unset: [] };
  const { text } = decoded;
  const shared = cache && !text.includes('${') ? `${file}\0${text}` : undefined;
  let entryCache = shared === undefined ? undefined : cache?.get(shared);
  if (!entryCache) {
    entryCache = { parsed: parseYaml(text, file), locators: createLocators(text) };
    if (shared !== undefined) cache?.set(shared, entryCache);
  }
  const { parsed, locators } = entryCache;
  const unset: UnsetVariable[] = [];
  const sources: InterpolatedSources = new Map();
  // Most files have no `${`: skip the walk over every value.
  const value = parsed.value === undefined || !text.includes('${') ? parsed.value : interpolate(parsed.value, env, unset, sources);
  const source: SourceFile = { kind, file, absPath, text, value, ...locators, writtenAs: (path) => sources.get(pathKey(path)) };
  return { source, diagnostics: [...decoded.diagnostics, ...parsed.diagnostics], unset };
}
