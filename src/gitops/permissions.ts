// Every change to an agent's effective permissions, each marked as a widening or not. A widening is
// anything a model can now do that it could not before: a new tool, an allow pattern (path, command,
// host, env var) not inside an old one, a deny entry dropped, a raised byte/time/iteration/cost limit,
// a shell or `sandbox: off` switched on. Rules of a family no tool of the agent uses are ignored.

import type { CompiledAgent, Permissions } from '../compile/ir.js';
import { pathPatternWithin, wildcardWithin } from '../tools/pattern-within.js';
import type { AgentView, ToolView } from './snapshot.js';

export interface PermissionChange {
  agent: string;
  /** The tool (or rule family: read, write, bash, http; `limits` for the agent's limits). */
  tool: string;
  /** One line: `added`, `renamed from run_tests`, `bash.allow added "curl *"`, `read.max_bytes 1MB → 2MB`. */
  change: string;
  widening: boolean;
}

/** Which tools obey which rule family. Command tools run as subprocesses under the bash rules. */
export function families(tools: ReadonlyArray<Pick<ToolView, 'definition'>>): Set<keyof Permissions> {
  const used = new Set<keyof Permissions>();
  for (const tool of tools) {
    const definition = tool.definition as { kind?: string; builtin?: string };
    if (definition.kind === 'command') used.add('bash');
    switch (definition.builtin) {
      case 'read': case 'glob': case 'grep': used.add('read'); break;
      case 'write': case 'edit': used.add('write'); break;
      case 'bash': used.add('bash'); break;
      case 'http': case 'web_search': used.add('http'); break;
    }
  }
  return used;
}

/** Only the rule families some tool of the agent obeys: the rest cannot change what it does. */
export function relevantPermissions(tools: ReadonlyArray<Pick<ToolView, 'definition'>>, permissions: Permissions): Partial<Permissions> {
  const used = families(tools);
  return Object.fromEntries(Object.entries(permissions).filter(([family]) => used.has(family as keyof Permissions)));
}

type Within = (pattern: string, within: string) => boolean;
const paths: Within = pathPatternWithin;
const commands: Within = (pattern, within) => wildcardWithin(pattern, within, false);
const hosts: Within = (pattern, within) => wildcardWithin(pattern, within, true);
const exact: Within = (pattern, within) => pattern === within;

/** How each list is compared: `allow` lists widen by adding, `deny` lists by removing. */
const lists: Array<{ family: keyof Permissions; key: string; label: string; kind: 'allow' | 'deny'; within: Within }> = [
  { family: 'read', key: 'allow', label: 'read.allow', kind: 'allow', within: paths },
  { family: 'read', key: 'deny', label: 'read.deny', kind: 'deny', within: paths },
  { family: 'write', key: 'allow', label: 'write.allow', kind: 'allow', within: paths },
  { family: 'write', key: 'deny', label: 'write.deny', kind: 'deny', within: paths },
  { family: 'bash', key: 'allow', label: 'bash.allow', kind: 'allow', within: commands },
  { family: 'bash', key: 'deny', label: 'bash.deny', kind: 'deny', within: commands },
  { family: 'bash', key: 'env', label: 'bash.env', kind: 'allow', within: exact },
  { family: 'http', key: 'allowHosts', label: 'http.allow_hosts', kind: 'allow', within: hosts },
  { family: 'http', key: 'denyHosts', label: 'http.deny_hosts', kind: 'deny', within: hosts },
];

const snake = (key: string): string => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
const show = (value: unknown): string => (value === undefined ? 'none' : typeof value === 'string' ? `"${value}"` : JSON.stringify(value));

/** Values that make a rule family wider when they appear (`sandbox: off`, a shell). */
function scalarWidens(key: string, before: unknown, after: unknown): boolean {
  if (typeof before === 'number' && typeof after === 'number') return after > before;
  if (before !== undefined && after === undefined && /max|limit|timeout/i.test(key)) return true;
  if (typeof after === 'boolean') return after && !before;
  if (key === 'sandbox') return after === 'off' || after === false;
  return false;
}

function compareFamily(agent: string, family: keyof Permissions, before: Permissions, after: Permissions, out: PermissionChange[]): void {
  const old = before[family] as unknown as Record<string, unknown>;
  const now = after[family] as unknown as Record<string, unknown>;
  const listed = new Set<string>();
  for (const list of lists.filter((entry) => entry.family === family)) {
    listed.add(list.key);
    const previous = (old[list.key] as string[] | undefined) ?? [];
    const next = (now[list.key] as string[] | undefined) ?? [];
    for (const pattern of next.filter((entry) => !previous.includes(entry))) {
      const widening = list.kind === 'allow' && !previous.some((entry) => list.within(pattern, entry));
      out.push({ agent, tool: family, change: `${list.label} added ${show(pattern)}`, widening });
    }
    for (const pattern of previous.filter((entry) => !next.includes(entry))) {
      // A deny entry still covered by another one takes nothing away.
      const widening = list.kind === 'deny' && !next.some((entry) => list.within(pattern, entry));
      out.push({ agent, tool: family, change: `${list.label} removed ${show(pattern)}`, widening });
    }
  }
  // Everything else (sizes, timeouts, shell, and keys this version does not know by name, such as a sandbox mode).
  for (const key of new Set([...Object.keys(old), ...Object.keys(now)])) {
    if (listed.has(key)) continue;
    const [previous, next] = [old[key], now[key]];
    if (JSON.stringify(previous) === JSON.stringify(next)) continue;
    out.push({ agent, tool: family, change: `${family}.${snake(key)} ${show(previous)} → ${show(next)}`, widening: scalarWidens(key, previous, next) });
  }
}

function compareLimits(agent: string, before: CompiledAgent['limits'], after: CompiledAgent['limits'], out: PermissionChange[]): void {
  for (const key of ['maxIterations', 'maxCostUsd', 'timeoutMs'] as const) {
    const [previous, next] = [before[key], after[key]];
    if (previous === next) continue;
    // No limit at all is the widest one.
    const widening = next === undefined ? previous !== undefined : previous !== undefined && next > previous;
    out.push({ agent, tool: 'limits', change: `limits.${snake(key)} ${show(previous)} → ${show(next)}`, widening });
  }
}

/** The changes from `before` to `after` (either may be absent: an added or removed agent). */
export function comparePermissions(name: string, before: AgentView | undefined, after: AgentView | undefined): PermissionChange[] {
  const out: PermissionChange[] = [];
  if (!after) {
    for (const tool of before?.tools ?? []) out.push({ agent: name, tool: tool.name, change: 'removed (agent removed)', widening: false });
    return out;
  }
  if (!before) {
    for (const tool of after.tools) out.push({ agent: name, tool: tool.name, change: 'added (new agent)', widening: true });
    return out;
  }
  const oldTools = new Map(before.tools.map((tool) => [tool.name, tool]));
  const newTools = new Map(after.tools.map((tool) => [tool.name, tool]));
  const removed = before.tools.filter((tool) => !newTools.has(tool.name));
  const renamedFrom = new Set<string>();
  for (const tool of after.tools) {
    const previous = oldTools.get(tool.name);
    if (previous) {
      if (previous.fingerprint !== tool.fingerprint) out.push({ agent: name, tool: tool.name, change: `definition changed: ${show(previous.definition)} → ${show(tool.definition)}`, widening: true });
      continue;
    }
    // Same definition under a new name: a rename, not a new capability.
    const twin = removed.find((candidate) => candidate.fingerprint === tool.fingerprint && !renamedFrom.has(candidate.name));
    if (twin) {
      renamedFrom.add(twin.name);
      out.push({ agent: name, tool: tool.name, change: `renamed from ${twin.name}`, widening: false });
    } else {
      out.push({ agent: name, tool: tool.name, change: 'added', widening: true });
    }
  }
  for (const tool of removed) if (!renamedFrom.has(tool.name)) out.push({ agent: name, tool: tool.name, change: 'removed', widening: false });
  const oldFamilies = families(before.tools);
  for (const family of families(after.tools)) {
    // A family reached only through a new tool is reported by that tool.
    if (oldFamilies.has(family)) compareFamily(name, family, before.permissions, after.permissions, out);
  }
  compareLimits(name, before.limits, after.limits, out);
  return out;
}
