// The words of a user's question that say what it is about: lowercased, without English function
// words and question words. Full-text queries use them (sqlite-knowledge.ts), and hybrid retrieval
// uses them to tell a BM25 hit that matches the question from one that shares a single word with it.

const stopWords = new Set(
  'a about after all also an and any anything are as at be been before but by can cannot could did do does doing done for from get got had has have how i if in into is it its just me my no not of on or our out over so some something than that the their them then there these they this those to too up us was we went were what when where which while who whom why will with would you your'.split(
    ' ',
  ),
);

/** Distinct words of `text` (letters, digits, `_`), stop words left out unless nothing else is left. */
export function queryTerms(text: string): string[] {
  const all = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [])].filter((word) => word.length > 1 || /\d/.test(word));
  const content = all.filter((word) => !stopWords.has(word));
  return content.length > 0 ? content : all;
}

/**
 * Whether `text` contains `term`, allowing for the endings a stemming tokenizer ignores
 * (`deliveries` finds `delivery`, `stored` finds `store`).
 */
export function mentions(text: string, term: string): boolean {
  if (text.includes(term)) return true;
  if (term.length >= 6 && text.includes(term.slice(0, -2))) return true;
  return term.endsWith('ies') && text.includes(`${term.slice(0, -3)}y`);
}

/** Words of `text` that look like names or codes (a digit, an underscore, or camelCase): `E4031`, `max_size_gb`, `tokenKind`. Lowercased. */
export function codeTerms(text: string): string[] {
  return [...new Set((text.match(/[\p{L}\p{N}_]+/gu) ?? []).filter((word) => /[\d_]/.test(word) || /\p{Ll}\p{Lu}/u.test(word)).map((word) => word.toLowerCase()))];
}
