// "did you mean ...?" for unknown keys and references.

export function levenshtein(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row++) {
    const current = [row];
    for (let column = 1; column <= right.length; column++) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      current[column] = Math.min((previous[column] ?? 0) + 1, (current[column - 1] ?? 0) + 1, (previous[column - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/**
 * The closest candidate within a typo's distance (a third of the word, at least 2), else the shortest
 * one that the word begins or that begins with the word (`api_key` -> `api_key_env`), if any.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  let extended: string | undefined;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    const distance = levenshtein(lower, other);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
    const shorter = Math.min(lower.length, other.length);
    if (shorter >= 4 && (other.startsWith(lower) || lower.startsWith(other)) && (extended === undefined || candidate.length < extended.length)) extended = candidate;
  }
  return best ?? extended;
}

/** `, did you mean `x`?` or nothing. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : `, did you mean \`${match}\`?`;
}
