// Gemini Developer API adapter on @google/genai (generateContent / streamGenerateContent?alt=sse).

import type { GoogleGenAI } from '@google/genai';
import type { CallOptions, LanguageModel, StreamPart } from '../types.js';
import { guardedGenerate, guardedStream, streamEndedEarly, type AdapterSettings } from '../call-scope.js';
import { toGeminiRequest } from './convert-prompt.js';
import { readGeminiError } from './map-error.js';
import { GeminiStreamState, type GeminiChunk } from './stream-state.js';

type GenerateParameters = Parameters<GoogleGenAI['models']['generateContent']>[0];

export function createGeminiModel(settings: AdapterSettings): LanguageModel {
  let client: Promise<GoogleGenAI> | undefined;
  const getClient = () =>
    (client ??= import('@google/genai').then(
      ({ GoogleGenAI }) =>
        new GoogleGenAI({
          // Explicit, so GOOGLE_GENAI_USE_VERTEXAI in the environment cannot switch backends.
          vertexai: false,
          ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
          apiVersion: 'v1beta',
          // No retryOptions: the SDK then does not retry, leaving the chain as the only policy.
          // Its automatic continuation (on by default in @google/genai 3.x) stays on: it is not a retry
          // but the protocol for long answers the server splits (finishReason CONTINUATION plus a token),
          // usage is summed across the hops, and it only resumes when the server handed out a token.
          httpOptions: { baseUrl: settings.baseUrl, ...(settings.headers ? { headers: settings.headers } : {}) },
        }),
    ));
  const request = (options: CallOptions, signal: AbortSignal) => {
    const { request: converted, warnings } = toGeminiRequest(settings.modelId, options, { maxOutputTokens: settings.maxOutputTokens });
    const parameters = { ...converted, config: { ...converted.config, abortSignal: signal } } as unknown as GenerateParameters;
    return { parameters, warnings };
  };

  return {
    provider: settings.providerName,
    modelId: settings.modelId,

    generate: (options) =>
      guardedGenerate(settings, options, readGeminiError, async (signal) => {
        const { parameters, warnings } = request(options, signal);
        const gemini = await getClient();
        const response = await gemini.models.generateContent(parameters);
        const state = new GeminiStreamState(warnings);
        state.handle(response as GeminiChunk);
        return state.result();
      }),

    stream: (options) =>
      guardedStream(settings, options, readGeminiError, async function* (signal): AsyncGenerator<StreamPart> {
        const { parameters, warnings } = request(options, signal);
        const gemini = await getClient();
        const chunks = await gemini.models.generateContentStream(parameters);
        const state = new GeminiStreamState(warnings);
        for await (const chunk of chunks) yield* state.handle(chunk as GeminiChunk);
        if (!state.done) throw streamEndedEarly(settings, 'a finishReason');
        yield { type: 'finish', result: state.result() };
      }),
  };
}
