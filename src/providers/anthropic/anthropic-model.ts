// Anthropic Messages adapter on @anthropic-ai/sdk. The SDK is imported on first call, never at load.

import type AnthropicClient from '@anthropic-ai/sdk';
import type { CallOptions, GenerateResult, LanguageModel, StreamPart } from '../types.js';
import { guardedGenerate, guardedStream, parseToolArguments, streamEndedEarly, type AdapterSettings } from '../call-scope.js';
import { toAnthropicRequest } from './convert-prompt.js';
import { mapAnthropicStopReason } from './map-finish-reason.js';
import { readAnthropicError } from './map-error.js';
import { AnthropicStreamState, mapAnthropicContent, mapAnthropicUsage } from './stream-state.js';

export function createAnthropicModel(settings: AdapterSettings): LanguageModel {
  let client: Promise<AnthropicClient> | undefined;
  const getClient = () =>
    (client ??= import('@anthropic-ai/sdk').then(
      ({ default: Anthropic }) =>
        new Anthropic({
          apiKey: settings.apiKey ?? null,
          baseURL: settings.baseUrl,
          // agentpipe's chain is the only retry policy.
          maxRetries: 0,
          // Our CallScope enforces the real timeout; this only stops the SDK's own 10-minute guess.
          timeout: Math.max(settings.timeoutMs, 1000) * 10,
          ...(settings.headers ? { defaultHeaders: settings.headers } : {}),
        }),
    ));
  const request = (options: CallOptions) => toAnthropicRequest(settings.modelId, options, { maxOutputTokens: settings.maxOutputTokens });

  return {
    provider: settings.providerName,
    modelId: settings.modelId,

    generate: (options) =>
      guardedGenerate(settings, options, readAnthropicError, async (signal): Promise<GenerateResult> => {
        const { body, warnings } = request(options);
        const anthropic = await getClient();
        const response = await anthropic.messages.create(body as AnthropicClient.MessageCreateParamsNonStreaming, { signal });
        return {
          content: mapAnthropicContent(response.content),
          finishReason: mapAnthropicStopReason(response.stop_reason),
          usage: mapAnthropicUsage(response.usage),
          warnings,
          responseModel: response.model,
        };
      }),

    stream: (options) =>
      guardedStream(settings, options, readAnthropicError, async function* (signal): AsyncGenerator<StreamPart> {
        const { body, warnings } = request(options);
        const anthropic = await getClient();
        const events = await anthropic.messages.create({ ...body, stream: true } as AnthropicClient.MessageCreateParamsStreaming, { signal });
        const state = new AnthropicStreamState((json) => parseToolArguments(settings, json), warnings);
        for await (const event of events) yield* state.handle(event);
        if (!state.done) throw streamEndedEarly(settings, 'message_stop');
        yield { type: 'finish', result: state.result() };
      }),
  };
}
