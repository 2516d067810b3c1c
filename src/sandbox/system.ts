// The host side of the sandbox's file system: which system folders are mounted read-only, which
// files under /etc are hidden, and which toolchain folders a command needs (node under /opt, …).
// Nothing else of the host is mounted: no $HOME, /root, /home, /run, /var, /srv, /mnt or host /tmp.

import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';

/** Mounted read-only when present. /bin, /lib… are symlinks into /usr on merged-/usr systems. */
export const systemFolders = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc'];

export type HostEntry = { path: string; kind: 'dir' | 'symlink'; target?: string };

/** The system folders that exist on this host, symlinks kept as symlinks. */
export function presentSystemFolders(): HostEntry[] {
  const entries: HostEntry[] = [];
  for (const path of systemFolders) {
    try {
      const info = lstatSync(path);
      if (info.isSymbolicLink()) entries.push({ path, kind: 'symlink', target: readlinkSync(path) });
      else if (info.isDirectory()) entries.push({ path, kind: 'dir' });
    } catch {
      // absent on this host: nothing to mount
    }
  }
  return entries;
}

export interface Masks {
  files: string[];
  folders: string[];
}

let etcMasks: Masks | undefined;

/**
 * Everything under /etc that an unprivileged user could not read: shadow, gshadow, sudoers, SSH host
 * keys, ssl/private, keytabs, service passwords. Credential files are private by convention, so "not
 * world-readable" finds them without a list of names. Walked once per process (about 1,000 entries).
 */
export function etcCredentialMasks(): Masks {
  if (etcMasks) return etcMasks;
  const masks: Masks = { files: [], folders: [] };
  const walk = (folder: string): void => {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      masks.folders.push(folder);
      return;
    }
    for (const name of names) {
      const path = join(folder, name);
      let info;
      try {
        info = lstatSync(path);
      } catch {
        continue;
      }
      if (info.isSymbolicLink()) continue;
      if (info.isDirectory()) {
        if ((info.mode & 0o005) !== 0o005) masks.folders.push(path);
        else walk(path);
      } else if ((info.mode & 0o004) === 0) {
        masks.files.push(path);
      }
    }
  };
  walk('/etc');
  etcMasks = masks;
  return masks;
}

const underSystem = (path: string): boolean => systemFolders.some((folder) => path === folder || path.startsWith(`${folder}/`));
const inside = (parent: string, path: string): boolean => path === parent || path.startsWith(parent.endsWith(sep) ? parent : `${parent}${sep}`);

/**
 * The folder to mount for a program found in `binFolder`: the toolchain root (the parent of a `bin`
 * folder, so `bin/npm -> ../lib/node_modules/npm` still resolves), except near a home folder, where
 * the parent may hold credentials (~/.cargo, ~/.local): there only the bin folder itself.
 */
function toolchainRoot(binFolder: string, homes: string[]): string {
  const parent = dirname(binFolder);
  if (!binFolder.endsWith(`${sep}bin`) || parent === binFolder) return binFolder;
  for (const home of homes) {
    if (!inside(home, parent)) continue;
    const depth = parent.slice(home.length).split(sep).filter(Boolean).length;
    if (depth < 2) return binFolder;
  }
  return parent;
}

function realFolder(path: string): string | undefined {
  try {
    const real = realpathSync(path);
    return statSync(real).isDirectory() ? real : undefined;
  } catch {
    return undefined;
  }
}

/** Where `program` is on `searchPath` (or relative to `cwd` when it has a slash), real path. */
export function locateProgram(program: string, searchPath: string, cwd: string): string | undefined {
  const candidates = program.includes('/') ? [resolve(cwd, program)] : searchPath.split(delimiter).filter((folder) => isAbsolute(folder)).map((folder) => join(folder, program));
  for (const candidate of candidates) {
    try {
      const real = realpathSync(candidate);
      if (statSync(real).isFile()) return real;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Read-only toolchain folders outside the system folders and the workspace: those on the command's
 * PATH (so `#!/usr/bin/env node` finds node) and the one holding the program itself.
 */
export function toolchainFolders(program: string, searchPath: string, workspace: string): string[] {
  const homes = [...new Set([homedir(), '/root'])];
  const folders = new Set<string>();
  const consider = (folder: string | undefined): void => {
    if (folder === undefined || underSystem(folder)) return;
    const root = toolchainRoot(folder, homes);
    // The workspace is mounted on its own terms; a folder holding it would mount its neighbours too.
    if (inside(workspace, root) || inside(root, workspace) || root === '/') return;
    folders.add(root);
  };
  // Another project's node_modules/.bin is that project's, not a toolchain.
  for (const entry of searchPath.split(delimiter)) if (isAbsolute(entry) && !entry.endsWith(`node_modules${sep}.bin`)) consider(realFolder(entry));
  const located = locateProgram(program, searchPath, workspace);
  if (located !== undefined) consider(dirname(located));
  // A folder inside another one is mounted with it.
  const sorted = [...folders].sort();
  return sorted.filter((folder, index) => !sorted.slice(0, index).some((other) => inside(other, folder)));
}
