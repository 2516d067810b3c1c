// The sandbox contract: a policy (what the process may see and change) plus a command go in, a spawn
// spec comes out. The caller spawns it like any other process; the backend does the confining.

/** What one sandboxed process may reach. Paths are absolute and real; patterns are workspace-relative globs. */
export interface SandboxPolicy {
  /** Real path of the workspace root; the process sees it at the same path. */
  workspace: string;
  /** read.deny patterns: masked inside the sandbox unless `expose` names them. */
  readDeny: string[];
  /** bash.expose patterns: read.deny paths that stay visible. Never `.env*` files. */
  expose: string[];
  /** write.allow / write.deny patterns: the only places the process may change. */
  writeAllow: string[];
  writeDeny: string[];
  /** Absolute folders outside the workspace to show read-only (an MCP server's own package). */
  readOnlyPaths?: string[];
  /** RLIMIT_CPU, in seconds. */
  cpuSeconds: number;
  /** RLIMIT_DATA, in bytes. */
  memoryBytes: number;
  /** The host proxy's Unix socket (see proxy.ts); absent: no network at all. */
  proxySocket?: string;
}

/** A program (name or path) with its arguments and the scrubbed environment it runs with. */
export interface SandboxCommand {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** What to hand to child_process.spawn. `stdin` (when set) is written to fd 3 as bubblewrap's data. */
export interface SpawnSpec {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Extra input pipes (fd 3, 4, …) the backend reads at start-up, e.g. a synthetic /etc/passwd. */
  extraInputs: string[];
  /** Stops what the sandbox started for this command (the network proxy); call after it exits. */
  release?: () => Promise<void>;
}

export interface SandboxBackend {
  /** Shown by `explain` and in errors, e.g. "bubblewrap 0.8.0". */
  readonly description: string;
  wrap(command: SandboxCommand, policy: SandboxPolicy): Promise<SpawnSpec>;
}

export type SandboxAvailability = { available: true; backend: SandboxBackend } | { available: false; reason: string };
