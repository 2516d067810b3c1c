// `search: auto` decides per request with this heuristic. It errs towards searching when the
// prompt asks about the present (a search costs a few hundred tokens; a stale answer costs trust)
// and stays off for timeless tasks (writing, refactoring, explaining concepts).
// It reads only the last user message, so a long pasted document that mentions "today" will search.

/** Words and phrases that ask about the present, anywhere in the prompt. */
const presentTensePatterns: RegExp[] = [
  /\b(latest|newest|today'?s?|tonight|yesterday|tomorrow|currently|nowadays|up[- ]to[- ]date|as of now|right now|these days)\b/i,
  /\b(this|last|next) (week|month|year|quarter|season|weekend)\b/i,
  /\brecent(ly)?\b/i,
  /\bcurrent (version|release|price|prices|rate|rates|status|state|president|prime minister|ceo|leader|champion|weather|events|news|ranking|standings|head coach|owner)\b/i,
  /\bwho (is|are) the current\b/i,
  /\b(news|headlines?|breaking|announced|announcement|launched|elections?|forecast|weather|standings)\b/i,
  /\b(price|prices|pricing|exchange rate|stock price|share price|market cap|how much (does|do|is|are) .{1,40} cost)\b/i,
  /\b(released|release date|release notes|new release|changelog|deprecated|end[- ]of[- ]life)\b/i,
  /\bversion\b/i,
  /\bv\d+(\.\d+)+\b/i,
  /\b\d+\.\d+\.\d+\b/,
];

/** Yes/no questions about whether something is so *now*: "Is X still supported?", "Has Y come out yet?". */
const currentStateQuestion =
  /^\s*(is|are|does|do|has|have|did|can)\b[^?]{0,120}\b(still|yet|available|supported|down|out|open|alive|maintained)\b[^?]{0,40}\?/im;

/** Phrases that contain a trigger word but are about code, not the calendar. */
const falseFriends = /most recent call last|\bnew Date\(|\bDate\.now\(\)/gi;

/**
 * True when answering `prompt` well probably needs information newer than the model's training:
 * time words (latest, today, this week, recent), a recent year, versions and releases, prices,
 * news, "who is the current …", and questions about something's current state.
 * `now` fixes what counts as a recent year (this year and the previous one and later).
 */
export function needsSearch(prompt: string, now: Date = new Date()): boolean {
  const text = prompt.replace(falseFriends, ' ');
  if (presentTensePatterns.some((pattern) => pattern.test(text))) return true;
  if (currentStateQuestion.test(text)) return true;
  return mentionsRecentYear(text, now.getUTCFullYear());
}

function mentionsRecentYear(text: string, currentYear: number): boolean {
  for (const match of text.matchAll(/\b(20\d{2})\b/g)) {
    if (Number(match[1]) >= currentYear - 1) return true;
  }
  return false;
}
