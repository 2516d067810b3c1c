import { readStainlessError } from '../stainless-error.js';
import type { HttpErrorReader } from '../call-scope.js';

/** Reads status, `error.type` (`overloaded_error`, `rate_limit_error`...) and retry headers from @anthropic-ai/sdk errors,
 * including the `event: error` an SSE stream can carry after a 200. */
export const readAnthropicError: HttpErrorReader = readStainlessError;
