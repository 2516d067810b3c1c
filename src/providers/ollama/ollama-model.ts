// Ollama native /api/chat adapter on ollama-js. ollama-js ignores OLLAMA_HOST, so the registry always
// passes the host; it has no per-request signal or headers on errors, so a fetch wrapper adds both.

import type { Ollama } from 'ollama';
import type { CallOptions, LanguageModel, StreamPart } from '../types.js';
import { guardedGenerate, guardedStream, streamEndedEarly, type AdapterSettings } from '../call-scope.js';
import { toOllamaRequest, type OllamaChatBody } from './convert-prompt.js';
import { readOllamaError } from './map-error.js';
import { OllamaStreamState, type OllamaLine } from './stream-state.js';

type OllamaModule = typeof import('ollama');

export function createOllamaModel(settings: AdapterSettings): LanguageModel {
  let sdk: Promise<OllamaModule> | undefined;
  const headers = { ...settings.headers, ...(settings.apiKey ? { Authorization: `Bearer ${settings.apiKey}` } : {}) };

  /** A client per call is cheap (config only) and lets the fetch carry this call's signal. */
  async function openClient(signal: AbortSignal): Promise<{ client: Ollama; responseHeaders: () => Headers | undefined }> {
    const { Ollama: OllamaClient } = await (sdk ??= import('ollama'));
    let lastHeaders: Headers | undefined;
    const client = new OllamaClient({
      host: settings.baseUrl,
      headers,
      fetch: async (input, init) => {
        const response = await fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
        lastHeaders = response.headers;
        return response;
      },
    });
    return { client, responseHeaders: () => lastHeaders };
  }

  const withHeaders = (error: unknown, headers: Headers | undefined) => {
    if (error instanceof Error && error.name === 'ResponseError' && headers) Object.assign(error, { responseHeaders: headers });
    return error;
  };
  const request = (options: CallOptions) => toOllamaRequest(settings.modelId, options, { maxOutputTokens: settings.maxOutputTokens });

  return {
    provider: settings.providerName,
    modelId: settings.modelId,

    generate: (options) =>
      guardedGenerate(settings, options, readOllamaError, async (signal) => {
        const { body, warnings } = request(options);
        const { client, responseHeaders } = await openClient(signal);
        try {
          const response = await client.chat({ ...(body as OllamaChatBody & { model: string }), stream: false } as Parameters<Ollama['chat']>[0] & { stream: false });
          const state = new OllamaStreamState(warnings);
          state.handle(response as unknown as OllamaLine);
          return state.result();
        } catch (error) {
          throw withHeaders(error, responseHeaders());
        }
      }),

    stream: (options) =>
      guardedStream(settings, options, readOllamaError, async function* (signal): AsyncGenerator<StreamPart> {
        const { body, warnings } = request(options);
        const { client, responseHeaders } = await openClient(signal);
        const state = new OllamaStreamState(warnings);
        try {
          const lines = await client.chat({ ...body, stream: true } as Parameters<Ollama['chat']>[0] & { stream: true });
          for await (const line of lines) yield* state.handle(line as unknown as OllamaLine);
        } catch (error) {
          throw withHeaders(error, responseHeaders());
        }
        if (!state.done) throw streamEndedEarly(settings, 'the done line');
        yield { type: 'finish', result: state.result() };
      }),
  };
}
