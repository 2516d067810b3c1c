// An agent's `permissions:` narrows the tools.yaml defaults and never widens them. Narrowing is
// sound rather than clever: an allow pattern is kept only when it provably matches a subset of some
// default pattern; anything else is dropped (fail closed) and reported as a violation for lint.

import type { BashRules, HttpRules, PathRules, Permissions } from '../compile/ir.js';
import { pathPatternWithin, wildcardWithin } from './pattern-within.js';

export interface PermissionsOverride {
  read?: Partial<PathRules>;
  write?: Partial<PathRules>;
  bash?: Partial<BashRules>;
  http?: Partial<HttpRules>;
}

export interface PermissionViolation {
  /** Dotted field, e.g. `read.allow`, `bash.timeoutMs`. */
  field: string;
  /** The value the agent asked for. */
  value: unknown;
  message: string;
}

class Narrowing {
  readonly violations: PermissionViolation[] = [];

  allowList(field: string, defaults: string[], requested: string[] | undefined, within: (pattern: string, bound: string) => boolean): string[] {
    if (requested === undefined) return [...defaults];
    return requested.filter((pattern) => {
      if (defaults.some((bound) => within(pattern, bound))) return true;
      this.violations.push({
        field,
        value: pattern,
        message: `"${pattern}" is not within the defaults (${defaults.join(', ') || 'nothing'}); an agent can only narrow ${field}`,
      });
      return false;
    });
  }

  /** Deny lists only grow. */
  denyList(defaults: string[], requested: string[] | undefined): string[] {
    return [...new Set([...defaults, ...(requested ?? [])])];
  }

  cap(field: string, defaults: number, requested: number | undefined): number {
    if (requested === undefined) return defaults;
    if (requested <= defaults) return requested;
    this.violations.push({ field, value: requested, message: `${field} ${requested} is above the default ${defaults}; an agent can only lower it` });
    return defaults;
  }
}

function narrowPathRules(narrowing: Narrowing, name: 'read' | 'write', defaults: PathRules, requested: Partial<PathRules> | undefined): PathRules {
  let hardLinks = requested?.hardLinks ?? defaults.hardLinks === true;
  if (hardLinks && defaults.hardLinks !== true) {
    narrowing.violations.push({ field: `${name}.hardLinks`, value: true, message: `hard links are refused in the defaults; an agent cannot allow them` });
    hardLinks = false;
  }
  return {
    allow: narrowing.allowList(`${name}.allow`, defaults.allow, requested?.allow, pathPatternWithin),
    deny: narrowing.denyList(defaults.deny, requested?.deny),
    maxBytes: narrowing.cap(`${name}.maxBytes`, defaults.maxBytes, requested?.maxBytes),
    ...(hardLinks ? { hardLinks } : {}),
  };
}

function narrowBashRules(narrowing: Narrowing, defaults: BashRules, requested: Partial<BashRules> | undefined): BashRules {
  const env = (requested?.env ?? defaults.env).filter((name) => {
    if (defaults.env.includes(name)) return true;
    narrowing.violations.push({ field: 'bash.env', value: name, message: `env var ${name} is not passed by the defaults; an agent can only remove names` });
    return false;
  });
  let shell = requested?.shell ?? defaults.shell;
  if (shell && !defaults.shell) {
    narrowing.violations.push({ field: 'bash.shell', value: true, message: 'shell mode is off in the defaults; an agent cannot turn it on' });
    shell = false;
  }
  // Turning the sandbox off widens what a command can reach; turning it on only narrows.
  let sandbox = requested?.sandbox ?? defaults.sandbox;
  if (sandbox === 'off' && defaults.sandbox !== 'off') {
    narrowing.violations.push({ field: 'bash.sandbox', value: 'off', message: 'the sandbox is on in the defaults; an agent cannot turn it off' });
    sandbox = defaults.sandbox;
  }
  return {
    allow: narrowing.allowList('bash.allow', defaults.allow, requested?.allow, (pattern, bound) => wildcardWithin(pattern, bound, false)),
    deny: narrowing.denyList(defaults.deny, requested?.deny),
    timeoutMs: narrowing.cap('bash.timeoutMs', defaults.timeoutMs, requested?.timeoutMs),
    maxOutputBytes: narrowing.cap('bash.maxOutputBytes', defaults.maxOutputBytes, requested?.maxOutputBytes),
    env,
    shell,
    expose: narrowing.allowList('bash.expose', defaults.expose, requested?.expose, pathPatternWithin),
    sandbox,
    allowHosts: narrowing.allowList('bash.allowHosts', defaults.allowHosts, requested?.allowHosts, (pattern, bound) => wildcardWithin(pattern, bound, true)),
  };
}

function narrowHttpRules(narrowing: Narrowing, defaults: HttpRules, requested: Partial<HttpRules> | undefined): HttpRules {
  return {
    allowHosts: narrowing.allowList('http.allowHosts', defaults.allowHosts, requested?.allowHosts, (pattern, bound) => wildcardWithin(pattern, bound, true)),
    denyHosts: narrowing.denyList(defaults.denyHosts, requested?.denyHosts),
    timeoutMs: narrowing.cap('http.timeoutMs', defaults.timeoutMs, requested?.timeoutMs),
    maxBytes: narrowing.cap('http.maxBytes', defaults.maxBytes, requested?.maxBytes),
    maxRedirects: narrowing.cap('http.maxRedirects', defaults.maxRedirects, requested?.maxRedirects),
  };
}

/**
 * The agent's effective permissions: allow lists intersected, deny lists united, caps and timeouts
 * lowered. Every widening attempt is dropped and listed in `violations` (lint reports them as errors).
 */
export function narrowPermissions(defaults: Permissions, override: PermissionsOverride | undefined): { permissions: Permissions; violations: PermissionViolation[] } {
  const narrowing = new Narrowing();
  const permissions: Permissions = {
    read: narrowPathRules(narrowing, 'read', defaults.read, override?.read),
    write: narrowPathRules(narrowing, 'write', defaults.write, override?.write),
    bash: narrowBashRules(narrowing, defaults.bash, override?.bash),
    http: narrowHttpRules(narrowing, defaults.http, override?.http),
  };
  return { permissions, violations: narrowing.violations };
}
