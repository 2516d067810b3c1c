// The bubblewrap backend: one `bwrap` argv per command. New user (when allowed), PID, IPC, UTS, network
// and cgroup namespaces; every capability dropped and no_new_privs set (bubblewrap always sets it);
// no nested user namespaces, so a child cannot gain capabilities to remount the read-only views.

import { userInfo } from 'node:os';
import { join } from 'node:path';
import { workspaceLayout } from './layout.js';
import { proxyPortInside, proxySocketInside } from './proxy.js';
import { etcCredentialMasks, presentSystemFolders, toolchainFolders } from './system.js';
import type { SandboxBackend, SandboxCommand, SandboxPolicy, SpawnSpec } from './types.js';

/** What this bubblewrap build and this host allow, found once by the probe in detect.ts. */
export interface BwrapFeatures {
  path: string;
  version: string;
  /** A new user namespace can be created (false as root in some containers; root does not need it). */
  userNamespace: boolean;
  /** `--disable-userns` exists (bubblewrap >= 0.8): no nested user namespaces inside. */
  disableUserns: boolean;
}

/**
 * Inside the network namespace only loopback exists: socat listens on 127.0.0.1:3128 and carries each
 * connection to the host proxy's socket. The command starts once the port listens (0C38 = 3128,
 * state 0A = LISTEN in /proc/net/tcp), after at most about 2 s.
 */
const proxyBridge = [
  `socat TCP-LISTEN:${proxyPortInside},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:${proxySocketInside} 2>/dev/null &`,
  `tries=0; while [ $tries -lt 200 ] && ! grep -q ':${proxyPortInside.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A' /proc/net/tcp; do sleep 0.01; tries=$((tries + 1)); done`,
].join('\n');

/** Used when the command's environment has no PATH. */
const defaultPath = '/usr/local/bin:/usr/bin:/bin';

/** Synthetic account files: the host's user list is nobody's business. */
function accountFiles(): { passwd: string; group: string } {
  const { uid, gid } = userInfo();
  const users = [`root:x:0:0:root:/tmp:/bin/sh`];
  const groups = [`root:x:0:`];
  if (uid !== 0) users.push(`agentpipe:x:${uid}:${gid}:agentpipe:/tmp:/bin/sh`);
  if (gid !== 0) groups.push(`agentpipe:x:${gid}:`);
  users.push('nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin');
  groups.push('nogroup:x:65534:');
  return { passwd: `${users.join('\n')}\n`, group: `${groups.join('\n')}\n` };
}

/**
 * The process sees the system folders and toolchain read-only, /etc without credentials, a fresh /proc
 * and /dev, its own /tmp, and the workspace (at its real path) read-only except where write.allow
 * says, with read.deny masked. Nothing else of the host exists inside.
 */
export function bwrapArguments(features: BwrapFeatures, command: SandboxCommand, policy: SandboxPolicy): { args: string[]; extraInputs: string[] } {
  const args = ['--unshare-all', '--die-with-parent', '--new-session', '--cap-drop', 'ALL'];
  if (features.userNamespace) args.push('--unshare-user', ...(features.disableUserns ? ['--disable-userns'] : []));
  for (const folder of presentSystemFolders()) {
    if (folder.kind === 'symlink') args.push('--symlink', folder.target ?? '', folder.path);
    else args.push('--ro-bind', folder.path, folder.path);
  }
  const etc = etcCredentialMasks();
  for (const folder of etc.folders) args.push('--tmpfs', folder, '--remount-ro', folder);
  for (const file of etc.files) args.push('--ro-bind', '/dev/null', file);
  const accounts = accountFiles();
  const extraInputs = [accounts.passwd, accounts.group];
  args.push('--perms', '0644', '--ro-bind-data', '3', '/etc/passwd', '--perms', '0644', '--ro-bind-data', '4', '/etc/group');
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  const searchPath = command.env['PATH'] ?? defaultPath;
  for (const folder of toolchainFolders(command.file, searchPath, policy.workspace)) args.push('--ro-bind', folder, folder);
  for (const folder of policy.readOnlyPaths ?? []) args.push('--ro-bind', folder, folder);

  const layout = workspaceLayout(policy);
  const at = (relative: string): string => join(policy.workspace, relative);
  args.push(layout.wholeWorkspaceWritable ? '--bind' : '--ro-bind', policy.workspace, policy.workspace);
  for (const folder of layout.writableFolders) args.push('--bind', at(folder), at(folder));
  for (const file of layout.writableFiles) args.push('--bind', at(file), at(file));
  for (const folder of layout.readOnlyFolders) args.push('--ro-bind', at(folder), at(folder));
  for (const file of layout.readOnlyFiles) args.push('--ro-bind', at(file), at(file));
  for (const folder of layout.maskedFolders) args.push('--tmpfs', at(folder), '--remount-ro', at(folder));
  for (const file of layout.maskedFiles) args.push('--ro-bind', '/dev/null', at(file));
  if (policy.proxySocket !== undefined) {
    args.push('--ro-bind', policy.proxySocket, proxySocketInside);
    const proxy = `http://127.0.0.1:${proxyPortInside}`;
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) args.push('--setenv', name, proxy);
    args.push('--setenv', 'NODE_USE_ENV_PROXY', '1', '--unsetenv', 'NO_PROXY', '--unsetenv', 'no_proxy');
  }
  args.push('--chdir', policy.workspace);
  // HOME points at the private /tmp: the host's home folder does not exist in here.
  if (command.env['HOME'] !== undefined) args.push('--setenv', 'HOME', '/tmp');
  // Limits are set by the shell inside, after bubblewrap (which needs more memory to start than a tight
  // limit might allow), then the shell execs the command so it keeps the process id.
  const limits = `ulimit -t ${policy.cpuSeconds} && ulimit -d ${Math.floor(policy.memoryBytes / 1024)} && exec "$@"`;
  const script = policy.proxySocket === undefined ? limits : `${proxyBridge}\n${limits}`;
  args.push('--', '/bin/sh', '-c', script, 'sh', command.file, ...command.args);
  return { args, extraInputs };
}

export class BwrapBackend implements SandboxBackend {
  readonly description: string;
  constructor(private readonly features: BwrapFeatures) {
    this.description = `bubblewrap ${features.version}`;
  }

  async wrap(command: SandboxCommand, policy: SandboxPolicy): Promise<SpawnSpec> {
    const { args, extraInputs } = bwrapArguments(this.features, command, policy);
    return { file: this.features.path, args, env: command.env, cwd: policy.workspace, extraInputs };
  }
}
