// One lazily created @google/genai client per model adapter (chat and embeddings share the settings).

import type { GoogleGenAI } from '@google/genai';
import type { AdapterSettings } from '../call-scope.js';

export function geminiClientFactory(settings: AdapterSettings): () => Promise<GoogleGenAI> {
  let client: Promise<GoogleGenAI> | undefined;
  return () =>
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
}
