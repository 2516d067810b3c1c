// The sandbox behind one small interface: `confine(command, policy, mode)` turns a command into what
// to spawn. `auto` confines it with the backend found on this host or refuses with one line saying
// why; `off` (an explicit, lint-warned opt-out) runs it as it is.

import type { SandboxMode } from '../compile/ir.js';
import { detectSandbox, findOnPath } from './detect.js';
import type { SandboxCommand, SandboxPolicy, SpawnSpec } from './types.js';

export type { SandboxAvailability, SandboxBackend, SandboxCommand, SandboxPolicy, SpawnSpec } from './types.js';
export { detectSandbox } from './detect.js';

export type { SandboxMode } from '../compile/ir.js';

/** No backend could confine the command, and the policy did not opt out. */
export class SandboxUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SandboxUnavailableError';
  }
}

/**
 * What to spawn for `command`. With `allowHost` the sandbox gets a network of one proxy that lets
 * through only the hosts it accepts (call `release()` on the result once the command has exited);
 * without it, no network at all. `off` runs the command as it is, network included.
 */
export async function confine(command: SandboxCommand, policy: SandboxPolicy, mode: SandboxMode, allowHost?: (host: string) => boolean): Promise<SpawnSpec> {
  if (mode === 'off') return { file: command.file, args: command.args, env: command.env, cwd: policy.workspace, extraInputs: [] };
  const availability = await detectSandbox();
  if (!availability.available) throw new SandboxUnavailableError(availability.reason);
  if (allowHost === undefined) return availability.backend.wrap(command, policy);
  if (findOnPath('socat', process.env['PATH'] ?? '/usr/bin:/bin') === undefined) {
    throw new SandboxUnavailableError('bash.allow_hosts needs socat inside the sandbox, and it is not installed (install the package "socat")');
  }
  const { startHostProxy } = await import('./proxy.js');
  const proxy = await startHostProxy(allowHost);
  try {
    return { ...(await availability.backend.wrap(command, { ...policy, proxySocket: proxy.socketPath })), release: () => proxy.close() };
  } catch (error) {
    await proxy.close();
    throw error;
  }
}

/** One line for `explain`: what runs the commands on this host. */
export async function describeSandbox(mode: SandboxMode): Promise<{ text: string; safe: boolean }> {
  if (mode === 'off') return { text: 'OFF (sandbox: off): commands run unconfined', safe: false };
  const availability = await detectSandbox();
  if (!availability.available) return { text: `unavailable, bash and command tools are refused: ${availability.reason}`, safe: false };
  return { text: `on (${availability.backend.description})`, safe: true };
}
