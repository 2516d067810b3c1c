// OpenAI Chat Completions adapter on the `openai` SDK; with `compatible: true` it serves every
// OpenAI-compatible server (LM Studio, vLLM, DeepSeek, Groq, OpenRouter, HF router, Ollama /v1).

import type OpenAIClient from 'openai';
import type { AssistantContent, CallOptions, LanguageModel, StreamPart } from '../types.js';
import { guardedGenerate, guardedStream, parseToolArguments, streamEndedEarly, type AdapterSettings } from '../call-scope.js';
import { toOpenAIRequest } from './convert-prompt.js';
import { openAIClientFactory } from './client.js';
import { mapOpenAIFinishReason } from './map-finish-reason.js';
import { readOpenAIError } from './map-error.js';
import { OpenAIStreamState, mapOpenAIUsage } from './stream-state.js';

export function createOpenAIModel(settings: AdapterSettings, flavour: { compatible: boolean }): LanguageModel {
  const getClient = openAIClientFactory(settings);
  const request = (options: CallOptions, stream: boolean) =>
    toOpenAIRequest(settings.modelId, options, { compatible: flavour.compatible, maxOutputTokens: settings.maxOutputTokens, stream });
  const parse = (json: string, toolName: string) => parseToolArguments(settings, json, toolName);

  return {
    provider: settings.providerName,
    modelId: settings.modelId,

    generate: (options) =>
      guardedGenerate(settings, options, readOpenAIError, async (signal) => {
        const { body, warnings } = request(options, false);
        const openai = await getClient();
        const response = await openai.chat.completions.create(body as OpenAIClient.ChatCompletionCreateParamsNonStreaming, { signal });
        const choice = response.choices[0];
        const content: AssistantContent[] = [];
        if (choice?.message.content) content.push({ type: 'text', text: choice.message.content });
        for (const call of choice?.message.tool_calls ?? []) {
          if (call.type !== 'function') continue;
          content.push({ type: 'tool-call', toolCallId: call.id, toolName: call.function.name, input: parse(call.function.arguments, call.function.name) });
        }
        const hasCalls = content.some((part) => part.type === 'tool-call');
        return {
          content,
          finishReason: mapOpenAIFinishReason(choice?.finish_reason, hasCalls),
          usage: mapOpenAIUsage(response.usage),
          warnings,
          responseModel: response.model,
        };
      }),

    stream: (options) =>
      guardedStream(settings, options, readOpenAIError, async function* (signal): AsyncGenerator<StreamPart> {
        const { body, warnings } = request(options, true);
        const openai = await getClient();
        const chunks = await openai.chat.completions.create(body as OpenAIClient.ChatCompletionCreateParamsStreaming, { signal });
        const state = new OpenAIStreamState(parse, warnings);
        for await (const chunk of chunks) yield* state.handle(chunk);
        if (!state.done) throw streamEndedEarly(settings, 'a finish_reason');
        yield { type: 'finish', result: state.result() };
      }),
  };
}
