// Error responses per vendor, shaped like the real bodies in ../shared/wire/errors.

import type { SimApi, SimFault } from '../script.js';
import { jsonReply, type WireContext, type WireReply } from './types.js';

type ErrorFault = Exclude<SimFault['kind'], 'hang' | 'cut' | 'malformed'>;

interface VendorError {
  status: number;
  /** Anthropic error.type / OpenAI error.type / Gemini error.status. */
  type: string;
  code?: string;
  message: string;
}

const table: Record<SimApi, Record<ErrorFault, VendorError>> = {
  anthropic: {
    'rate-limit': { status: 429, type: 'rate_limit_error', message: "This request would exceed your account's rate limit. Please try again later." },
    'server-error': { status: 500, type: 'api_error', message: 'Internal server error' },
    unavailable: { status: 503, type: 'api_error', message: 'Service unavailable' },
    overloaded: { status: 529, type: 'overloaded_error', message: 'Overloaded' },
    auth: { status: 401, type: 'authentication_error', message: 'invalid x-api-key' },
    'bad-request': { status: 400, type: 'invalid_request_error', message: 'messages: at least one message is required' },
    'context-length': { status: 400, type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum' },
  },
  openai: {
    'rate-limit': { status: 429, type: 'tokens', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests. Please try again in 1s.' },
    'server-error': { status: 500, type: 'server_error', message: 'The server had an error processing your request. Sorry about that!' },
    unavailable: { status: 503, type: 'server_error', message: 'Service unavailable.' },
    overloaded: { status: 503, type: 'server_error', message: 'The engine is currently overloaded, please try again later.' },
    auth: { status: 401, type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided: KEY.' },
    'bad-request': { status: 400, type: 'invalid_request_error', message: "Invalid value for 'messages'." },
    'context-length': {
      status: 400,
      type: 'invalid_request_error',
      code: 'context_length_exceeded',
      message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
    },
  },
  gemini: {
    'rate-limit': { status: 429, type: 'RESOURCE_EXHAUSTED', message: 'You exceeded your current quota, please check your plan and billing details.' },
    'server-error': { status: 500, type: 'INTERNAL', message: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting' },
    unavailable: { status: 503, type: 'UNAVAILABLE', message: 'The service is currently unavailable.' },
    overloaded: { status: 503, type: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
    auth: { status: 400, type: 'INVALID_ARGUMENT', code: 'API_KEY_INVALID', message: 'API key not valid. Please pass a valid API key.' },
    'bad-request': { status: 400, type: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
    'context-length': { status: 400, type: 'INVALID_ARGUMENT', message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).' },
  },
  ollama: {
    'rate-limit': { status: 429, type: '', message: 'too many requests' },
    'server-error': { status: 500, type: '', message: 'the model failed to generate a response' },
    unavailable: { status: 503, type: '', message: 'server busy, please try again.  maximum pending requests exceeded' },
    overloaded: { status: 503, type: '', message: 'server busy, please try again.  maximum pending requests exceeded' },
    auth: { status: 401, type: '', message: 'unauthorized' },
    'bad-request': { status: 400, type: '', message: 'invalid message format' },
    'context-length': { status: 400, type: '', message: 'the input length exceeds the context length' },
  },
};

function retryHeaders(fault: SimFault): Record<string, string> {
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
  if (fault.retryAfterDate !== undefined) headers['retry-after'] = fault.retryAfterDate;
  if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
  return headers;
}

/** The message, with the credential either masked like OpenAI does (`sk-...abcd`) or echoed whole. */
function messageFor(error: VendorError, fault: SimFault, context: WireContext): string {
  const credential = context.credential ?? '';
  const masked = credential.length > 8 ? `${credential.slice(0, 3)}****${credential.slice(-4)}` : '****';
  const text = error.message.replace('KEY', fault.echoKey ? credential : masked);
  return fault.echoKey && !text.includes(credential) ? `${text} (key: ${credential})` : text;
}

/** A fault's error response; `override` replaces the table's message and code (request validation). */
export function renderError(
  api: SimApi,
  fault: SimFault & { kind: ErrorFault },
  context: WireContext,
  override?: { message: string; code?: string; param?: string },
): WireReply {
  const error = override ? { ...table[api][fault.kind], ...override } : table[api][fault.kind];
  const message = override ? override.message : messageFor(error, fault, context);
  const headers = retryHeaders(fault);
  switch (api) {
    case 'anthropic':
      return jsonReply(error.status, { type: 'error', error: { type: error.type, message }, request_id: `req_sim_${context.sequence}` }, {
        'request-id': `req_sim_${context.sequence}`,
        ...headers,
      });
    case 'openai':
      return jsonReply(error.status, { error: { message, type: error.type, param: override?.param ?? null, code: error.code ?? null } }, {
        'x-request-id': `req_sim_${context.sequence}`,
        ...headers,
      });
    case 'gemini': {
      const details: Array<Record<string, unknown>> = [];
      if (error.code) details.push({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: error.code, domain: 'googleapis.com' });
      if (fault.retryAfterSeconds !== undefined)
        details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${fault.retryAfterSeconds}s` });
      return jsonReply(error.status, { error: { code: error.status, message, status: error.type, ...(details.length ? { details } : {}) } }, headers);
    }
    case 'ollama':
      return jsonReply(error.status, { error: message }, headers);
  }
}
