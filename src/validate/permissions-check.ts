// An agent's `permissions:` may narrow the tools.yaml defaults, never widen them. The check is sound
// rather than complete: an allow pattern passes only when it is provably inside a default allow
// pattern (equal, a literal path the default matches, or a textual narrowing such as `docs/x/**`
// under `docs/**`). Anything it cannot prove is reported, and the fix says how to be explicit.

import { pathPatternWithin, wildcardWithin } from '../tools/pattern-within.js';
import type { SourceFile } from '../load/types.js';
import { report, type ValidationContext } from './context.js';
import type { AgentFile, ToolsFile } from './types.gen.js';

type Rules = Record<string, unknown>;
type PatternFamily = 'path' | 'wildcard';

/** True when every string `pattern` matches is also matched by `within` (shared with compile). */
export function patternWithin(pattern: string, within: string, family: PatternFamily, caseInsensitive = false): boolean {
  return family === 'path' ? pathPatternWithin(pattern, within) : wildcardWithin(pattern, within, caseInsensitive);
}

const hostWithin = (pattern: string, bound: string): boolean => wildcardWithin(pattern, bound, true);

const sizeUnits: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Bytes or milliseconds; undefined when absent (no limit). */
function measure(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const match = /^([0-9.]+)([A-Za-z]+)$/.exec(value);
  const unit = match?.[2] ?? '';
  const factor = sizeUnits[unit] ?? durationUnits[unit];
  return match && factor !== undefined ? Number(match[1]) * factor : undefined;
}

const families: Record<string, { allow: string; family: PatternFamily; limits: string[]; lists?: string[]; pathLists?: string[]; hostLists?: string[] }> = {
  read: { allow: 'allow', family: 'path', limits: ['max_bytes'] },
  write: { allow: 'allow', family: 'path', limits: ['max_bytes'] },
  bash: { allow: 'allow', family: 'wildcard', limits: ['timeout', 'max_output'], lists: ['env'], pathLists: ['expose'], hostLists: ['allow_hosts'] },
  http: { allow: 'allow_hosts', family: 'wildcard', limits: ['timeout', 'max_bytes', 'max_redirects'] },
};

export function checkPermissions(context: ValidationContext, source: SourceFile, agent: AgentFile, tools: ToolsFile): void {
  const defaults = (tools.defaults ?? {}) as Record<string, Rules | undefined>;
  for (const [family, narrowed] of Object.entries((agent.permissions ?? {}) as Record<string, Rules | undefined>)) {
    const spec = families[family];
    if (!spec || !narrowed) continue;
    const base = defaults[family] ?? {};
    const widen = (field: string, message: string, fix: string, index?: number): void =>
      report(context, source, ['permissions', family, field, ...(index === undefined ? [] : [index])], 'permissions/widen', message, { fix });
    const baseAllow = (base[spec.allow] as string[] | undefined) ?? [];
    ((narrowed[spec.allow] as string[] | undefined) ?? []).forEach((pattern, index) => {
      if (!baseAllow.some((within) => patternWithin(pattern, within, spec.family, family === 'http'))) {
        const defaults = baseAllow.length ? baseAllow.join(', ') : 'nothing';
        widen(spec.allow, `permissions.${family}.${spec.allow} \`${pattern}\` widens the tools.yaml defaults (which allow ${defaults})`, `narrow it to a pattern inside a default one, or widen defaults.${family}.${spec.allow} in tools.yaml (a reviewed change)`, index);
      }
    });
    for (const limit of spec.limits) {
      const asked = measure(narrowed[limit]);
      const allowed = measure(base[limit]);
      if (asked !== undefined && allowed !== undefined && asked > allowed) {
        widen(limit, `permissions.${family}.${limit} \`${String(narrowed[limit])}\` is more than the default \`${String(base[limit])}\``, `use at most ${String(base[limit])}`);
      }
    }
    for (const list of spec.lists ?? []) {
      const allowed = (base[list] as string[] | undefined) ?? [];
      ((narrowed[list] as string[] | undefined) ?? []).forEach((name, index) => {
        if (!allowed.includes(name)) widen(list, `permissions.${family}.${list} adds \`${name}\`, which the defaults do not pass`, `remove it, or add it to defaults.${family}.${list}`, index);
      });
    }
    // Pattern lists an agent may only narrow: each of its patterns must sit inside a default one.
    for (const [list, within] of [...(spec.pathLists ?? []).map((name) => [name, pathPatternWithin] as const), ...(spec.hostLists ?? []).map((name) => [name, hostWithin] as const)]) {
      const allowed = (base[list] as string[] | undefined) ?? [];
      ((narrowed[list] as string[] | undefined) ?? []).forEach((pattern, index) => {
        if (!allowed.some((bound) => within(pattern, bound))) widen(list, `permissions.${family}.${list} \`${pattern}\` is not within the defaults (${allowed.join(', ') || 'nothing'})`, `remove it, or add it to defaults.${family}.${list}`, index);
      });
    }
    if (family === 'bash' && narrowed['sandbox'] === 'off' && base['sandbox'] !== 'off') {
      widen('sandbox', 'permissions.bash.sandbox: off turns off the OS sandbox the defaults require', 'remove it; an agent cannot turn the sandbox off');
    }
    if (family === 'bash' && narrowed['shell'] === true && base['shell'] !== true) {
      widen('shell', 'permissions.bash.shell: true widens the defaults (no shell)', 'remove it; commands run as an argv');
    }
  }
}
