// A package-lock.json for the scaffold, so `npm ci` (and an offline install from the npm cache)
// installs agentpipe's dependencies at the very versions agentpipe was built and tested with. It is
// agentpipe's own lockfile with its dev-only packages left out, under the packed tarball. Without a
// lockfile next to the running agentpipe (an installed copy), none is written.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

interface LockEntry {
  version?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  link?: boolean;
  dependencies?: Record<string, string>;
  [field: string]: unknown;
}

interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

export async function scaffoldLockfile(packageRoot: string, tarball: { relative: string; absolute: string }, manifest: Record<string, unknown>): Promise<string | undefined> {
  const own = await readFile(path.join(packageRoot, 'package-lock.json'), 'utf8').then((text) => JSON.parse(text) as Lockfile, () => undefined);
  if (!own || own.lockfileVersion < 2) return undefined;
  const root = own.packages[''] ?? {};
  const integrity = `sha512-${createHash('sha512').update(await readFile(tarball.absolute)).digest('base64')}`;
  const packages: Record<string, LockEntry> = {
    '': { devDependencies: (manifest.devDependencies ?? {}) as Record<string, string> },
    'node_modules/agentpipe': {
      version: root.version,
      resolved: `file:${tarball.relative}`,
      integrity,
      dev: true,
      ...(root.license ? { license: root.license } : {}),
      ...(root.dependencies ? { dependencies: root.dependencies } : {}),
      ...(root.bin ? { bin: root.bin } : {}),
      ...(root.engines ? { engines: root.engines } : {}),
    },
  };
  for (const [key, entry] of Object.entries(own.packages)) {
    if (key === '' || entry.dev || entry.link || !key.startsWith('node_modules/')) continue;
    const { devOptional: _devOptional, ...rest } = entry;
    packages[key] = { ...rest, dev: true, ...(entry.devOptional || entry.optional ? { optional: true } : {}) };
  }
  return `${JSON.stringify({ lockfileVersion: 3, requires: true, packages }, null, 2)}\n`;
}
