// "Is every string this pattern matches also matched by that one?" — the question behind "an agent
// may narrow the defaults, never widen them". Lint (validate/permissions-check.ts) and compile
// (tools/narrow.ts) both ask it here, so they can never disagree. The answer is sound rather than
// complete: `true` only when it is provable from the text of the two patterns.

import { createRequire } from 'node:module';
import { hasWildcard, wildcardRegExp } from './wildcard.js';

type Matcher = (glob: string, options: { dot: boolean }) => (path: string) => boolean;
let picomatch: Matcher | undefined;
// Loaded on first use so that lint of a project without agent permissions never pays for it.
const pathMatches = (glob: string, path: string): boolean => {
  picomatch ??= createRequire(import.meta.url)('picomatch') as Matcher;
  return picomatch(glob, { dot: true })(path);
};

const globCharacters = /[*?[\]{}()!+@]/;

/** Path globs (picomatch syntax): `pattern` matches only paths that `within` also matches. */
export function pathPatternWithin(pattern: string, within: string): boolean {
  if (pattern === within || within === '**') return true;
  if (!globCharacters.test(pattern)) return pathMatches(within, pattern);
  // `docs/**` contains every pattern that starts with the literal folder `docs/`.
  if (within.endsWith('/**') && !globCharacters.test(within.slice(0, -3))) return pattern.startsWith(within.slice(0, -2));
  // `**/*.md` contains every pattern whose last segment is exactly `*.md`.
  const lastSegment = within.startsWith('**/') ? within.slice(3) : undefined;
  if (lastSegment !== undefined && !lastSegment.includes('/')) return pattern === lastSegment || pattern.endsWith(`/${lastSegment}`);
  return false;
}

/** Command and host wildcards: `*` matches anything, so a literal prefix or suffix settles it. */
export function wildcardWithin(pattern: string, within: string, caseInsensitive: boolean): boolean {
  if (pattern === within || within === '*') return true;
  if (!hasWildcard(pattern)) return wildcardRegExp(within, caseInsensitive).test(pattern);
  const prefix = within.endsWith('*') ? within.slice(0, -1) : undefined;
  if (prefix !== undefined && !hasWildcard(prefix) && pattern.startsWith(prefix)) return true;
  const suffix = within.startsWith('*') ? within.slice(1) : undefined;
  return suffix !== undefined && !hasWildcard(suffix) && pattern.endsWith(suffix);
}
