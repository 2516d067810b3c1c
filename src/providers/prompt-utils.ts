// Small pure helpers shared by the prompt converters.

import type { AssistantContent, SystemPart } from './types.js';

/** Non-empty system parts joined for APIs with a single system string (OpenAI, Ollama), cacheable layers first as composed. */
export function joinedSystem(system: SystemPart[]): string | undefined {
  const texts = system.map((part) => part.text).filter((text) => text !== '');
  return texts.length > 0 ? texts.join('\n\n') : undefined;
}

export function assistantText(content: AssistantContent[]): string {
  return content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
}

/** Merges consecutive turns of the same role (Anthropic and Gemini reject them), e.g. tool results then user text. */
export function mergeSameRole<Turn extends { role: string }, Part>(
  turns: Turn[],
  partsOf: (turn: Turn) => Part[],
  make: (role: Turn['role'], parts: Part[]) => Turn,
): Turn[] {
  const merged: Turn[] = [];
  for (const turn of turns) {
    const last = merged.at(-1);
    if (last && last.role === turn.role) merged[merged.length - 1] = make(turn.role, [...partsOf(last), ...partsOf(turn)]);
    else merged.push(make(turn.role, [...partsOf(turn)]));
  }
  return merged;
}
