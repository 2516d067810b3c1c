// Gemini Developer API adapter on @google/genai (generateContent / streamGenerateContent?alt=sse).

import type { GoogleGenAI } from '@google/genai';
import type { CallOptions, LanguageModel, StreamPart } from '../types.js';
import { guardedGenerate, guardedStream, streamEndedEarly, type AdapterSettings } from '../call-scope.js';
import { toGeminiRequest } from './convert-prompt.js';
import { geminiClientFactory } from './client.js';
import { readGeminiError } from './map-error.js';
import { GeminiStreamState, type GeminiChunk } from './stream-state.js';

type GenerateParameters = Parameters<GoogleGenAI['models']['generateContent']>[0];

export function createGeminiModel(settings: AdapterSettings): LanguageModel {
  const getClient = geminiClientFactory(settings);
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
