// The deny-by-default permission engine. Every check is deny first, then allow; a refusal throws
// ToolDeniedError naming the rule, which executeToolCall turns into an error result for the model.

import picomatch from 'picomatch';
import type { BashRules, HttpRules, Permissions, ToolSet } from '../compile/ir.js';
import { resolveWorkspacePath, type PathAccess, type WorkspacePath } from './paths.js';
import { ToolDeniedError } from './types.js';
import { wildcardRegExp } from './wildcard.js';

export { narrowPermissions, type PermissionsOverride, type PermissionViolation } from './narrow.js';
export type { PathAccess, WorkspacePath } from './paths.js';

/** Hard floor, whatever tools.yaml says: no tool reads or writes a `.env*` file, at any depth, in any case. */
export const envFilePatterns = ['**/.env*'];
const isEnvFile = picomatch(envFilePatterns, { dot: true, nocase: true });

/** A bash argument naming a `.env*` file (`.env`, `./.env.local`, `--env-file=.env`). */
const envFileArgument = /(^|[\s/=:'"])\.env/i;

type Matcher = (value: string) => boolean;
const pathMatchers = new Map<string, Matcher>();

function pathMatcher(pattern: string): Matcher {
  let matcher = pathMatchers.get(pattern);
  if (!matcher) {
    matcher = picomatch(pattern, { dot: true });
    pathMatchers.set(pattern, matcher);
  }
  return matcher;
}

function firstMatch(patterns: string[], values: string[], match: (pattern: string, value: string) => boolean): string | undefined {
  return patterns.find((pattern) => values.some((value) => match(pattern, value)));
}

/** Checks workspace-relative paths (lexical and real) against the floor and one rule set. */
export function checkPathRules(permissions: Permissions, access: PathAccess, paths: string[]): void {
  const rules = permissions[access];
  const shown = paths.map((path) => `"${path}"`).join(' -> ');
  if (paths.some((path) => isEnvFile(path))) {
    throw new ToolDeniedError('the .env floor', `${shown} is a .env file; no tool may ${access} it`);
  }
  const denied = firstMatch(rules.deny, paths, (pattern, path) => pathMatcher(pattern)(path));
  if (denied !== undefined) throw new ToolDeniedError(`${access}.deny "${denied}"`, `${shown} may not be ${access === 'read' ? 'read' : 'written'}`);
  for (const path of paths) {
    if (!rules.allow.some((pattern) => pathMatcher(pattern)(path))) {
      const allowed = rules.allow.length > 0 ? rules.allow.join(', ') : 'nothing';
      throw new ToolDeniedError(`${access}.allow`, `"${path}" matches no ${access} allow rule (allowed: ${allowed})`);
    }
  }
}

/** Resolves a model-given path inside the workspace and checks it against the rules for `access`. */
export async function authorizePath(toolSet: ToolSet, requested: string, access: PathAccess): Promise<WorkspacePath> {
  const path = await resolveWorkspacePath(toolSet.workspace, requested, access, (relativePath) =>
    checkPathRules(toolSet.permissions, access, [relativePath]),
  );
  if (path.realRelative !== path.relative) checkPathRules(toolSet.permissions, access, [path.relative, path.realRelative]);
  return path;
}

export function checkSize(permissions: Permissions, access: PathAccess, bytes: number, what: string): void {
  const limit = permissions[access].maxBytes;
  if (bytes > limit) throw new ToolDeniedError(`${access}.max_bytes`, `${what} is ${bytes} bytes, over the ${limit}-byte limit`);
}

/**
 * Checks a command against bash rules. `command` is an argv (matched joined by single spaces) or, only
 * when shell mode is on, a shell string. `requireAllow` is false for reviewed command tools from
 * tools.yaml, which still obey the deny list and the .env floor.
 */
export function checkCommand(rules: BashRules, command: string[] | string, requireAllow = true): void {
  const elements = typeof command === 'string' ? [command] : command;
  const joined = elements.join(' ');
  if (elements.some((element) => envFileArgument.test(element))) {
    throw new ToolDeniedError('the .env floor', `"${joined}" names a .env file; no tool may read it`);
  }
  const denied = rules.deny.find((pattern) => wildcardRegExp(pattern).test(joined));
  if (denied !== undefined) throw new ToolDeniedError(`bash.deny "${denied}"`, `"${joined}" is a denied command`);
  if (requireAllow && !rules.allow.some((pattern) => wildcardRegExp(pattern).test(joined))) {
    const allowed = rules.allow.length > 0 ? rules.allow.join(', ') : 'nothing';
    throw new ToolDeniedError('bash.allow', `"${joined}" matches no bash allow rule (allowed: ${allowed})`);
  }
}

/** URL hostnames are already lower-case; IPv6 literals lose their brackets, a trailing dot is dropped. */
export function normalizeHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

export function checkHost(rules: HttpRules, hostname: string): void {
  const host = normalizeHost(hostname);
  const denied = rules.denyHosts.find((pattern) => wildcardRegExp(pattern, true).test(host));
  if (denied !== undefined) throw new ToolDeniedError(`http.deny_hosts "${denied}"`, `host "${host}" is denied`);
  if (!rules.allowHosts.some((pattern) => wildcardRegExp(pattern, true).test(host))) {
    const allowed = rules.allowHosts.length > 0 ? rules.allowHosts.join(', ') : 'nothing';
    throw new ToolDeniedError('http.allow_hosts', `host "${host}" matches no allowed host (allowed: ${allowed})`);
  }
}
