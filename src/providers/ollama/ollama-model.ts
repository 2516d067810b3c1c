// Ollama native /api/chat adapter on ollama-js. ollama-js ignores OLLAMA_HOST, so the registry always
// passes the host; it has no per-request signal and drops headers from errors, so a fetch wrapper adds both.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Ollama } from 'ollama';
import type { CallOptions, LanguageModel, StreamPart } from '../types.js';
import { guardedGenerate, guardedStream, streamEndedEarly, type AdapterSettings } from '../call-scope.js';
import { toOllamaRequest, type OllamaChatBody } from './convert-prompt.js';
import { readOllamaError } from './map-error.js';
import { OllamaStreamState, type OllamaLine } from './stream-state.js';

/** What the shared fetch wrapper needs from the call it serves. */
interface CallContext {
  signal: AbortSignal;
  headers?: Headers;
}

export function createOllamaModel(settings: AdapterSettings): LanguageModel {
  let client: Promise<Ollama> | undefined;
  // One client per model; each call's signal and response headers travel through async context.
  const calls = new AsyncLocalStorage<CallContext>();
  const headers = { ...settings.headers, ...(settings.apiKey ? { Authorization: `Bearer ${settings.apiKey}` } : {}) };
  const getClient = () =>
    (client ??= import('ollama').then(
      ({ Ollama: OllamaClient }) =>
        new OllamaClient({
          host: settings.baseUrl,
          headers,
          fetch: async (input, init) => {
            const call = calls.getStore();
            const signal = call ? (init?.signal ? AbortSignal.any([init.signal, call.signal]) : call.signal) : init?.signal;
            const response = await fetch(input, { ...init, ...(signal ? { signal } : {}) });
            if (call) call.headers = response.headers;
            return response;
          },
        }),
    ));

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
        const ollama = await getClient();
        const call: CallContext = { signal };
        try {
          const response = await calls.run(call, () => ollama.chat({ ...(body as OllamaChatBody & { model: string }), stream: false } as Parameters<Ollama['chat']>[0] & { stream: false }));
          const state = new OllamaStreamState(warnings);
          state.handle(response as unknown as OllamaLine);
          return state.result();
        } catch (error) {
          throw withHeaders(error, call.headers);
        }
      }),

    stream: (options) =>
      guardedStream(settings, options, readOllamaError, async function* (signal): AsyncGenerator<StreamPart> {
        const { body, warnings } = request(options);
        const ollama = await getClient();
        const call: CallContext = { signal };
        const state = new OllamaStreamState(warnings);
        try {
          const lines = await calls.run(call, () => ollama.chat({ ...body, stream: true } as Parameters<Ollama['chat']>[0] & { stream: true }));
          for await (const line of lines) yield* state.handle(line as unknown as OllamaLine);
        } catch (error) {
          throw withHeaders(error, call.headers);
        }
        if (!state.done) throw streamEndedEarly(settings, 'the done line');
        yield { type: 'finish', result: state.result() };
      }),
  };
}
