// One lazily created openai SDK client per model adapter (chat and embeddings share the settings).
// The SDK's own retries are off: agentpipe's chain is the only retry policy.

import type OpenAIClient from 'openai';
import type { AdapterSettings } from '../call-scope.js';

export function openAIClientFactory(settings: AdapterSettings): () => Promise<OpenAIClient> {
  let client: Promise<OpenAIClient> | undefined;
  return () =>
    (client ??= Promise.all([import('openai'), import('../http-fetch.js')]).then(
      ([{ default: OpenAI }, { httpFetch }]) =>
        new OpenAI({
          // node:http instead of the built-in fetch: a fraction of its CPU per call (http-fetch.ts).
          fetch: httpFetch,
          // Keyless local servers still need a non-empty string for the SDK.
          apiKey: settings.apiKey ?? 'not-needed',
          baseURL: settings.baseUrl,
          // Never forward OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment to a third-party server.
          organization: null,
          project: null,
          maxRetries: 0,
          timeout: Math.max(settings.timeoutMs, 1000) * 10,
          ...(settings.headers ? { defaultHeaders: settings.headers } : {}),
        }),
    ));
}
