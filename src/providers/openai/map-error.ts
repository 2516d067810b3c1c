import { readStainlessError } from '../stainless-error.js';
import type { HttpErrorReader } from '../call-scope.js';

/** Reads status, `error.code` (`rate_limit_exceeded`, `context_length_exceeded`, `insufficient_quota`...) and
 * `retry-after-ms` / `retry-after` from openai SDK errors, including an `error` object inside an SSE stream. */
export const readOpenAIError: HttpErrorReader = readStainlessError;
