// A conversation thread as model input: the last `window` turns verbatim, and the turns before
// them folded into a rolling summary. The summary is updated only when turns have left the window
// since it was last written, so a long thread costs one small summary call per run at most.

import type { MemorySettings, ModelChain } from '../compile/ir.js';
import type { CallOptions, GenerateResult, Message, SystemPart } from '../providers/types.js';
import type { EventSink } from '../run/events.js';
import type { MemoryStore, Turn } from '../store/types.js';

export interface ThreadContext {
  history: Message[];
  summary?: SystemPart;
}

const summaryInstructions =
  'You keep the running summary of a conversation between a user and an assistant. Merge the earlier summary with the new turns ' +
  'into one concise summary (at most 200 words) that keeps names, numbers, decisions and open questions. Reply with the summary only.';

const asMessage = (turn: Turn): Message => (turn.role === 'user' ? { role: 'user', content: turn.content } : { role: 'assistant', content: [{ type: 'text', text: turn.content }] });

const textOf = (result: GenerateResult) =>
  result.content
    .filter((part) => part.type === 'text')
    .map((part) => part.text)
    .join('')
    .trim();

export async function threadContext(
  store: MemoryStore,
  threadId: string,
  settings: NonNullable<MemorySettings['thread']>,
  generate: (chain: ModelChain, options: CallOptions) => Promise<GenerateResult>,
  emit: EventSink,
): Promise<ThreadContext> {
  const thread = store.thread(threadId);
  if (!thread) return { history: [] };
  // A question whose run never answered (killed, failed) is left out: the model would see two user turns in a row.
  const turns = store.turns(threadId).filter((turn) => turn.answered);
  let start = Math.max(0, turns.length - settings.window);
  // The verbatim part starts with a question, as every provider expects.
  while (start < turns.length && turns[start]!.role !== 'user') start++;
  const verbatim = turns.slice(start);
  const unsummarized = turns.slice(0, start).filter((turn) => turn.id > thread.summarizedThrough);
  let summary = thread.summary;
  if (unsummarized.length > 0) {
    const transcript = unsummarized.map((turn) => `${turn.role}: ${turn.content}`).join('\n\n');
    const result = await generate(settings.summary, {
      system: [{ text: summaryInstructions }],
      messages: [{ role: 'user', content: `Earlier summary:\n${summary || '(none)'}\n\nNew turns:\n${transcript}` }],
      maxTokens: 600,
    });
    summary = textOf(result) || summary;
    store.setSummary(threadId, summary, unsummarized.at(-1)!.id);
    emit({ type: 'thread-summarized', thread: threadId, turns: unsummarized.length, model: settings.summary.name });
  }
  return {
    history: verbatim.map(asMessage),
    ...(summary ? { summary: { text: `Summary of the earlier conversation in this thread:\n${summary}`, cacheable: false } } : {}),
  };
}
