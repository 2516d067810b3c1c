// ollama-js throws ResponseError(error, status_code) for non-2xx and a plain Error for an in-stream
// `{"error": "..."}` line. Response headers are attached by the adapter (ollama-js drops them).

import { parseRetryAfter, type HeaderSource } from '../errors.js';
import type { HttpErrorReader } from '../call-scope.js';

export const readOllamaError: HttpErrorReader = (error) => {
  if (!(error instanceof Error) || error.name !== 'ResponseError') return undefined;
  const shape = error as Error & { status_code?: unknown; error?: unknown; responseHeaders?: HeaderSource };
  const status = typeof shape.status_code === 'number' ? shape.status_code : undefined;
  const message = typeof shape.error === 'string' ? shape.error : error.message;
  const retryAfterMs = parseRetryAfter(shape.responseHeaders);
  return {
    ...(status === undefined ? {} : { status }),
    hints: { message },
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    message,
  };
};
