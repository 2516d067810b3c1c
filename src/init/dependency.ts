// How a scaffold depends on agentpipe while agentpipe is not on the npm registry: by default the
// agentpipe that runs `init` packs itself (`npm pack`) into vendor/agentpipe-<version>.tgz and the
// scaffold depends on that file, so `npm install` works offline, in CI and on any machine, with the
// exact version that wrote the scaffold. `--from <spec>` uses any npm spec instead (a git URL, a
// path, or `npm` for `^<version>` from the registry once it is published).

import { execFile } from 'node:child_process';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { UsageError } from '../errors.js';
import type { AgentpipeDependency } from './scaffold-files.js';

export const vendorFolder = 'vendor';

export interface ResolvedDependency {
  dependency: AgentpipeDependency;
  /** Files written while resolving (the tarball), relative to the target. */
  created: string[];
  /** The packed tarball, for the scaffold's lockfile. */
  tarball?: { relative: string; absolute: string };
}

export async function resolveDependency(packageRoot: string, version: string, target: string, from: string | undefined): Promise<ResolvedDependency> {
  if (from === 'npm') return { dependency: { spec: `^${version}`, explanation: `agentpipe ^${version} comes from the npm registry.` }, created: [] };
  if (from !== undefined) return { dependency: { spec: from, explanation: `agentpipe comes from ${from}.` }, created: [] };
  const tarball = await packInto(packageRoot, path.join(target, vendorFolder));
  const relative = `${vendorFolder}/${tarball}`;
  return {
    dependency: {
      spec: `file:${relative}`,
      explanation: `agentpipe is not on the npm registry yet: package.json depends on ${relative}, packed from agentpipe ${version} by \`agentpipe init\`; commit it.`,
    },
    created: [relative],
    tarball: { relative, absolute: path.join(target, relative) },
  };
}

/** `npm pack` of the running agentpipe (no lifecycle scripts: dist/ is already built). */
async function packInto(packageRoot: string, folder: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  try {
    const { stdout } = await promisify(execFile)(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', folder, packageRoot], { maxBuffer: 16 * 1024 * 1024 });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
    if (!packed) throw new Error('npm pack reported no file');
    // npm names scoped packages scope-name-version.tgz; ours is agentpipe-<version>.tgz already.
    const name = path.basename(packed.filename);
    if (name !== packed.filename) await rename(path.join(folder, packed.filename), path.join(folder, name));
    return name;
  } catch (error) {
    throw new UsageError(`cannot pack agentpipe into ${folder} (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); pass --from <npm spec> (a git URL or a path) instead`);
  }
}
