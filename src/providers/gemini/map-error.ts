// @google/genai throws ApiError with `.status` and the JSON body stringified into `.message`
// (`{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":"...RetryInfo","retryDelay":"7s"}]}}`).

import { parseRetryDelay } from '../errors.js';
import type { HttpErrorReader } from '../call-scope.js';

interface GoogleErrorBody {
  error?: { code?: unknown; message?: unknown; status?: unknown; details?: Array<Record<string, unknown>> };
}

function parseBody(message: string): GoogleErrorBody | undefined {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(message.slice(start)) as GoogleErrorBody;
  } catch {
    return undefined;
  }
}

export const readGeminiError: HttpErrorReader = (error) => {
  if (!(error instanceof Error) || error.name !== 'ApiError') return undefined;
  const status = (error as { status?: unknown }).status;
  const body = parseBody(error.message)?.error;
  const details = body?.details ?? [];
  const reasons = details.map((detail) => (typeof detail.reason === 'string' ? detail.reason : undefined));
  const retryInfo = details.find((detail) => String(detail['@type'] ?? '').endsWith('google.rpc.RetryInfo'));
  const retryAfterMs = parseRetryDelay(retryInfo?.retryDelay);
  const message = typeof body?.message === 'string' ? body.message : error.message;
  return {
    ...(typeof status === 'number' ? { status } : {}),
    hints: { codes: [typeof body?.status === 'string' ? body.status : undefined, ...reasons], message },
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    message,
  };
};
