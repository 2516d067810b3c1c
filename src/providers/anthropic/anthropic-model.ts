// Anthropic Messages adapter on @anthropic-ai/sdk. The SDK is imported on first call, never at load.

import type AnthropicClient from '@anthropic-ai/sdk';
import type { AssistantContent, CallOptions, CallWarning, GenerateResult, LanguageModel, StreamPart } from '../types.js';
import { guardedGenerate, guardedStream, parseToolArguments, streamEndedEarly, type AdapterSettings } from '../call-scope.js';
import { outputToolName, toAnthropicRequest } from './convert-prompt.js';
import { anthropicApiVersion } from './api-version.js';
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
          // Setting it also skips the SDK's refusal of non-streaming calls with a large max_tokens
          // ("Streaming is required for operations that may take longer than 10 minutes", > ~21k tokens).
          timeout: Math.max(settings.timeoutMs, 1000) * 10,
          ...(settings.headers ? { defaultHeaders: settings.headers } : {}),
          // agentpipe registers no global OpenTelemetry provider (its traces come from the run's
          // events), so the SDK's spans would record nothing: skip starting one for every call.
          openTelemetry: false,
        }),
    ));
  const apiVersion = anthropicApiVersion(settings.headers);
  const request = (options: CallOptions) =>
    toAnthropicRequest(settings.modelId, options, { maxOutputTokens: settings.maxOutputTokens, apiVersion });

  return {
    provider: settings.providerName,
    modelId: settings.modelId,

    generate: (options) =>
      guardedGenerate(settings, options, readAnthropicError, async (signal): Promise<GenerateResult> => {
        const { body, warnings } = request(options);
        const anthropic = await getClient();
        const response = await withSdkWarnings(warnings, () =>
          anthropic.messages.create(body as AnthropicClient.MessageCreateParamsNonStreaming, { signal }),
        );
        const content = unwrapOutputTool(mapAnthropicContent(response.content));
        return {
          content,
          // A call of only the output tool is a finished answer, not a request for tools.
          finishReason: mapAnthropicStopReason(response.stop_reason === 'tool_use' && !content.some((part) => part.type === 'tool-call') ? 'end_turn' : response.stop_reason),
          usage: mapAnthropicUsage(response.usage),
          warnings,
          responseModel: response.model,
        };
      }),

    stream: (options) =>
      guardedStream(settings, options, readAnthropicError, async function* (signal): AsyncGenerator<StreamPart> {
        const { body, warnings } = request(options);
        const anthropic = await getClient();
        const events = await withSdkWarnings(warnings, () =>
          anthropic.messages.create({ ...body, stream: true } as AnthropicClient.MessageCreateParamsStreaming, { signal }),
        );
        const state = new AnthropicStreamState((json, toolName) => parseToolArguments(settings, json, toolName), warnings);
        for await (const event of events)
          for (const part of state.handle(event))
            yield part.type === 'tool-call' && part.call.toolName === outputToolName ? { type: 'text-delta', delta: JSON.stringify(part.call.input) } : part;
        if (!state.done) throw streamEndedEarly(settings, 'message_stop');
        const result = state.result();
        const content = unwrapOutputTool(result.content);
        const answered = content.length > 0 && !content.some((part) => part.type === 'tool-call') && result.finishReason === 'tool-calls';
        yield { type: 'finish', result: { ...result, content, ...(answered ? { finishReason: 'stop' as const } : {}) } };
      }),
  };
}

/**
 * messages.create() console.warns, synchronously and before any I/O, when the model is on the SDK's
 * deprecation list (which is not exported) or uses a deprecated thinking mode. Those lines would go
 * straight to our stderr, past --json and the event log; this turns them into call warnings, which
 * the chain reports as `warning` events. Only the synchronous part of the call runs with console.warn
 * swapped, so no other code's output is caught.
 */
export function withSdkWarnings<T>(warnings: CallWarning[], call: () => T): T {
  const original = console.warn;
  console.warn = (...values: unknown[]) => void warnings.push({ type: 'other', message: values.map(String).join(' ') });
  try {
    return call();
  } finally {
    console.warn = original;
  }
}

/** The forced output tool's call is the answer: it becomes the text the agent loop checks. */
export function unwrapOutputTool(content: AssistantContent[]): AssistantContent[] {
  return content.map((part) => (part.type === 'tool-call' && part.toolName === outputToolName ? { type: 'text', text: JSON.stringify(part.input) } : part));
}
