// Tests that need a system package (bubblewrap, redis-server, chromium) use this. On a developer
// machine without it they skip with a loud reason; under CI (CI=true) a missing package fails the
// suite instead, because .ci/run installs every one of them and CI must never skip.
import { spawnSync } from 'node:child_process';

const found = new Map<string, string | undefined>();

/** The absolute path of `command` on PATH, or undefined. */
export function which(command: string): string | undefined {
  if (!found.has(command)) {
    const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
    found.set(command, result.status === 0 ? result.stdout.trim() || undefined : undefined);
  }
  return found.get(command);
}

/**
 * Whether every command is present. When one is missing: throws under CI, else prints a loud
 * reason once and returns false so the caller can `describe.skipIf(!ok)`.
 */
export function requireCommands(feature: string, packages: Record<string, string>): boolean {
  const missing = Object.entries(packages).filter(([command]) => !which(command));
  if (missing.length === 0) return true;
  const names = missing.map(([command, pkg]) => `${command} (Debian package ${pkg})`).join(', ');
  const message = `${feature}: missing ${names}. Install with: apt-get install -y ${missing.map(([, pkg]) => pkg).join(' ')}`;
  if (process.env['CI']) throw new Error(`${message}. CI must not skip these tests; .ci/run installs them.`);
  process.stderr.write(`\n!!! SKIPPING ${feature} tests: ${message}\n\n`);
  return false;
}
