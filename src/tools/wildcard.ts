// Wildcards for command and host patterns (not paths): `*` matches any run of characters (spaces,
// slashes and dots too), `?` exactly one. Newlines count as characters, so they cannot hide a denied word.

export function wildcardRegExp(pattern: string, caseInsensitive = false): RegExp {
  const body = [...pattern]
    .map((character) => (character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

export function hasWildcard(pattern: string): boolean {
  return /[*?]/.test(pattern);
}
