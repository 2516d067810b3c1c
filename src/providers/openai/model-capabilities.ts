// What an OpenAI model accepts on Chat Completions, decided by its id: OpenAI has no capability
// endpoint, so (like vercel/ai and the openai-python capability table) we match prefixes.
//
// Reasoning models: the o-series (o1, o3, o4-mini...), codex-mini, and gpt-5 and every later gpt-N
// (gpt-5-mini, gpt-5.1, gpt-6...), except the `-chat` variants (gpt-5-chat-latest, gpt-5.1-chat-latest),
// which are non-reasoning chat models. Per the SDK's own docs (openai/resources/chat/completions):
// `max_tokens` "is not compatible with o-series models" (send max_completion_tokens); `stop` is "not
// supported with latest reasoning models o3 and o4-mini"; and these models answer 400 "Unsupported
// value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported."
// gpt-5.1+ accept temperature/top_p with reasoning_effort "none", which agentpipe does not send.

export function isOpenAIReasoningModel(modelId: string): boolean {
  const id = modelId.toLowerCase();
  const gpt = /^gpt-(\d+)(?:\.\d+)?(-chat)?/.exec(id);
  if (gpt) return Number(gpt[1]) >= 5 && gpt[2] === undefined;
  return /^o\d/.test(id) || id.startsWith('codex-mini');
}
