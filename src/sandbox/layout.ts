// The workspace as the sandbox shows it, computed when the sandbox starts: read.deny globs expanded
// into the files and folders to mask (a denied folder is masked as a folder, so files created in it
// later stay hidden), and write.allow globs into the folders and files the process may change.

import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import type { SandboxPolicy } from './types.js';

export interface WorkspaceLayout {
  /** write.allow is `**`: the whole workspace is writable (still minus masks and write.deny). */
  wholeWorkspaceWritable: boolean;
  /** Workspace-relative paths; folders first listed are the outermost. */
  writableFolders: string[];
  writableFiles: string[];
  /** write.deny matches inside writable places: bound read-only again. */
  readOnlyFolders: string[];
  readOnlyFiles: string[];
  /** Hidden: an empty read-only folder, or /dev/null in place of the file. */
  maskedFolders: string[];
  maskedFiles: string[];
}

/** The floor: `.env*` is masked at any depth, in any case, whatever `expose` says. */
const envName = /^\.env/i;
/** A child name no pattern is written for: a pattern matching `folder/<probe>` covers the whole folder. */
const probe = '.agentpipe-sandbox-probe';

type Matcher = (path: string) => boolean;
const matchers = new Map<string, Matcher>();
function matcherFor(patterns: string[]): Matcher {
  const key = JSON.stringify(patterns);
  let matcher = matchers.get(key);
  if (!matcher) {
    matcher = patterns.length === 0 ? () => false : picomatch(patterns, { dot: true });
    matchers.set(key, matcher);
  }
  return matcher;
}

const coversFolder = (matcher: Matcher, folder: string): boolean => matcher(folder) || matcher(`${folder}/${probe}`);

/**
 * `.env*` entries below an exposed folder (node_modules, .git), relative to it. Such folders are large
 * and written by tools, not by hand, so they are searched once per process rather than per command:
 * a `.env` file created inside one during a run is masked from the next run on.
 */
const envEntriesCache = new Map<string, { files: string[]; folders: string[] }>();
function envEntriesBelow(folder: string): { files: string[]; folders: string[] } {
  const cached = envEntriesCache.get(folder);
  if (cached) return cached;
  const found = { files: [] as string[], folders: [] as string[] };
  const walk = (relative: string): void => {
    let entries;
    try {
      entries = readdirSync(relative === '' ? folder : join(folder, relative), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isSymbolicLink()) continue;
      if (envName.test(entry.name)) (entry.isDirectory() ? found.folders : found.files).push(path);
      else if (entry.isDirectory()) walk(path);
    }
  };
  walk('');
  envEntriesCache.set(folder, found);
  return found;
}

/** Whether some pattern could match a path strictly below `folder` (its literal base is in or above it). */
function reachesBelow(patterns: string[], folder: string): boolean {
  return patterns.some((pattern) => {
    const base = picomatch.scan(pattern).base;
    return base === '' || base.startsWith(`${folder}/`) || folder.startsWith(`${base}/`) || base === folder;
  });
}

/** write.allow patterns split into folder grants (`out/**`, created when missing) and per-file ones. */
function writeGrants(workspace: string, allow: string[]): { whole: boolean; folders: string[]; filePatterns: string[] } {
  const folders: string[] = [];
  const filePatterns: string[] = [];
  let whole = false;
  for (const pattern of allow) {
    const { base, glob } = picomatch.scan(pattern);
    if (glob === '**' || glob === '**/*') {
      if (base === '') whole = true;
      else if (!base.split('/').some((part) => part === '..' || envName.test(part))) folders.push(base);
    } else filePatterns.push(pattern);
  }
  for (const folder of folders) {
    try {
      mkdirSync(join(workspace, folder), { recursive: true });
    } catch {
      // a file is in the way: the grant simply does not apply
    }
  }
  return { whole, folders, filePatterns };
}

export function workspaceLayout(policy: SandboxPolicy): WorkspaceLayout {
  const deny = matcherFor(policy.readDeny);
  const expose = matcherFor(policy.expose);
  const writeDeny = matcherFor(policy.writeDeny);
  const grants = writeGrants(policy.workspace, policy.writeAllow);
  const writeFile = matcherFor(grants.filePatterns);
  const layout: WorkspaceLayout = {
    wholeWorkspaceWritable: grants.whole,
    writableFolders: [],
    writableFiles: [],
    readOnlyFolders: [],
    readOnlyFiles: [],
    maskedFolders: [],
    maskedFiles: [],
  };
  const grantedFolder = (relative: string): boolean => grants.folders.includes(relative);

  const walk = (folder: string, inheritedDeny: boolean, writable: boolean): void => {
    let entries;
    try {
      entries = readdirSync(folder === '' ? policy.workspace : join(policy.workspace, folder), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const relative = folder === '' ? entry.name : `${folder}/${entry.name}`;
      // Symlinks are not followed or masked: a link's target is masked (or absent) on its own terms.
      if (entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) {
        if (envName.test(entry.name)) {
          layout.maskedFolders.push(relative);
          continue;
        }
        const denied = inheritedDeny || coversFolder(deny, relative);
        const exposed = coversFolder(expose, relative);
        if (denied && !exposed && !reachesBelow(policy.expose, relative)) {
          layout.maskedFolders.push(relative);
          continue;
        }
        // A read-only folder exposed whole: only the .env floor applies below it.
        if (exposed && !writable && !grantedFolder(relative) && !reachesBelow(grants.filePatterns, relative) && !reachesBelow(grants.folders, relative)) {
          const below = envEntriesBelow(join(policy.workspace, relative));
          layout.maskedFiles.push(...below.files.map((path) => `${relative}/${path}`));
          layout.maskedFolders.push(...below.folders.map((path) => `${relative}/${path}`));
          continue;
        }
        let childWritable = writable;
        if (!writable && grantedFolder(relative)) {
          layout.writableFolders.push(relative);
          childWritable = true;
        }
        if (childWritable && coversFolder(writeDeny, relative)) {
          layout.readOnlyFolders.push(relative);
          childWritable = false;
        }
        walk(relative, denied && !exposed, childWritable);
      } else {
        const denied = envName.test(entry.name) || ((inheritedDeny || deny(relative)) && !expose(relative));
        if (denied) layout.maskedFiles.push(relative);
        else if (writable && writeDeny(relative)) layout.readOnlyFiles.push(relative);
        else if (!writable && writeFile(relative) && !writeDeny(relative)) layout.writableFiles.push(relative);
      }
    }
  };
  walk('', false, grants.whole);
  return layout;
}
