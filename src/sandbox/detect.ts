// Finds a usable sandbox backend once per process. "Installed" is not enough: bubblewrap may be present
// but unable to create namespaces (Ubuntu 24.04 restricts unprivileged user namespaces through
// AppArmor; unprivileged containers forbid them), so a real probe runs once and its answer is kept.

import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { BwrapBackend, type BwrapFeatures } from './bwrap.js';
import type { SandboxAvailability } from './types.js';

const run = promisify(execFile);

export function findOnPath(program: string, searchPath: string): string | undefined {
  for (const folder of searchPath.split(delimiter)) {
    if (!isAbsolute(folder)) continue;
    const candidate = join(folder, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The first line bubblewrap printed, without its `bwrap: ` prefix. */
function firstLine(error: unknown): string {
  const stderr = typeof error === 'object' && error !== null && 'stderr' in error ? String(error.stderr) : '';
  const line = stderr.split('\n').find((text) => text.trim() !== '') ?? (error instanceof Error ? error.message : String(error));
  return line.replace(/^bwrap: /, '').trim();
}

async function probe(path: string, userNamespace: boolean, disableUserns: boolean): Promise<void> {
  const namespaces = ['--unshare-all', '--die-with-parent', '--cap-drop', 'ALL', ...(userNamespace ? ['--unshare-user', ...(disableUserns ? ['--disable-userns'] : [])] : [])];
  await run(path, [...namespaces, '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--', 'true'], { timeout: 10_000, env: {} });
}

const namespaceHint =
  'on Ubuntu 24.04 and later AppArmor restricts unprivileged user namespaces (allow bwrap with an AppArmor profile, or set kernel.apparmor_restrict_unprivileged_userns=0); in a container, run it with user namespaces allowed';

export async function detectBubblewrap(searchPath: string): Promise<SandboxAvailability> {
  const path = findOnPath('bwrap', searchPath);
  if (path === undefined) {
    return { available: false, reason: 'no OS sandbox: bubblewrap is not installed (install the package "bubblewrap", e.g. apt-get install bubblewrap)' };
  }
  let version = 'unknown';
  let disableUserns = false;
  try {
    version = (await run(path, ['--version'], { timeout: 10_000 })).stdout.trim().replace(/^bubblewrap\s*/, '');
    disableUserns = (await run(path, ['--help'], { timeout: 10_000 })).stdout.includes('--disable-userns');
  } catch (error) {
    return { available: false, reason: `no OS sandbox: ${path} does not run (${firstLine(error)})` };
  }
  // A user namespace when possible; as root bubblewrap can do without one (capabilities are still dropped).
  const attempts = process.getuid?.() === 0 ? [true, false] : [true];
  let failure = '';
  for (const userNamespace of attempts) {
    try {
      await probe(path, userNamespace, disableUserns);
      const features: BwrapFeatures = { path, version, userNamespace, disableUserns };
      return { available: true, backend: new BwrapBackend(features) };
    } catch (error) {
      failure ||= firstLine(error);
    }
  }
  return { available: false, reason: `no OS sandbox: bubblewrap is installed but cannot create namespaces here (${failure}); ${namespaceHint}` };
}

let cached: Promise<SandboxAvailability> | undefined;

/** The backend for this process, probed on first use. */
export function detectSandbox(): Promise<SandboxAvailability> {
  cached ??= detectBubblewrap(process.env['PATH'] ?? '/usr/bin:/bin');
  return cached;
}
