// JSON Schemas of API v1: Fastify validates requests with them (ajv) and @fastify/swagger turns the
// same objects into /v1/openapi.json, so the document cannot drift from what is enforced.

import { apiRunStatuses } from './run-index.js';

const runId = { type: 'string', pattern: '^[0-9]{8}-[0-9]{6}-[0-9]{3}-[0-9a-f]{6}$', description: 'A run id: UTC time to the millisecond, then 6 hex digits' } as const;
const error = {
  type: 'object',
  description: 'An error: one line, and for config problems the same diagnostics as `agentpipe lint --format json`',
  properties: {
    error: { type: 'string' },
    diagnostics: {
      type: 'array',
      items: {
        type: 'object',
        properties: { severity: { type: 'string' }, code: { type: 'string' }, file: { type: 'string' }, line: { type: 'integer' }, col: { type: 'integer' }, message: { type: 'string' }, fix: { type: 'string' } },
      },
    },
  },
  required: ['error'],
} as const;

export const errorResponses = { 400: error, 401: error, 403: error, 404: error, 409: error, 429: error } as const;

export const idParams = { type: 'object', properties: { id: runId }, required: ['id'], additionalProperties: false } as const;

export const runSummary = {
  type: 'object',
  properties: {
    id: runId,
    status: { type: 'string', enum: apiRunStatuses },
    target: { type: 'string' },
    name: { type: 'string' },
    kind: { type: 'string', enum: ['agent', 'template'] },
    tags: { type: 'array', items: { type: 'string' } },
    model: { type: 'string' },
    maxCost: { type: 'number' },
    thread: { type: 'string' },
    createdAt: { type: 'string' },
    startedAt: { type: 'string' },
    endedAt: { type: 'string' },
    durationMs: { type: 'integer' },
    costUsd: { type: 'number' },
    errorClass: { type: 'string' },
    error: { type: 'string' },
  },
  required: ['id', 'status', 'target', 'name', 'kind', 'createdAt', 'costUsd'],
} as const;

export const createRunBody = {
  type: 'object',
  additionalProperties: false,
  required: ['target'],
  properties: {
    target: { type: 'string', minLength: 1, maxLength: 500, description: 'An agent or template: a path (agents/x.yaml) or a name' },
    inputs: { type: 'object', description: 'Input values by name, checked against the declarations', additionalProperties: true },
    model: { type: 'string', minLength: 1, maxLength: 200, description: 'A route or provider/model for every step (`run --model`)' },
    max_cost: { type: 'number', exclusiveMinimum: 0, maximum: 1000000, description: 'A USD limit for this run; only tightens the target\'s own' },
    thread: { type: 'string', minLength: 1, maxLength: 128, description: 'Continue (or start) this conversation thread with the agent (`run --thread`); agents only' },
  },
} as const;

export const listRunsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: apiRunStatuses },
    target: { type: 'string', maxLength: 500, description: 'A target path or name' },
    tag: { type: 'string', maxLength: 60 },
    since: { type: 'string', format: 'date-time', description: 'Created at or after' },
    until: { type: 'string', format: 'date-time', description: 'Created before' },
    cursor: runId,
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  },
} as const;

export const estimateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['target'],
  properties: {
    target: createRunBody.properties.target,
    inputs: createRunBody.properties.inputs,
    model: createRunBody.properties.model,
    fanout: { type: 'integer', minimum: 1, maximum: 10000, description: 'Items of every for_each step (`estimate --fanout`)' },
  },
} as const;

export const catalogueQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 200, description: 'Full-text search over name, description, category, tags, inputs and steps' },
    tag: { type: 'string', maxLength: 60 },
    difficulty: { type: 'string', enum: ['beginner', 'intermediate', 'advanced'] },
    category: { type: 'string', maxLength: 60 },
  },
} as const;

export const nameParams = { type: 'object', properties: { name: { type: 'string', pattern: '^[a-z][a-z0-9_-]*$', maxLength: 100 } }, required: ['name'], additionalProperties: false } as const;

export const analyticsQuery = { type: 'object', additionalProperties: false, properties: { days: { type: 'integer', minimum: 1, maximum: 366, default: 30 } } } as const;

export const eventsHeaders = { type: 'object', properties: { 'last-event-id': { type: 'string', pattern: '^[0-9]{1,9}$' } } } as const;

export const createKeyBody = {
  type: 'object',
  additionalProperties: false,
  required: ['role'],
  properties: { role: { type: 'string', enum: ['viewer', 'runner', 'admin'] }, name: { type: 'string', maxLength: 100 }, expires_at: { type: 'string', format: 'date-time' } },
} as const;

export const keyIdParams = { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9a-f]{12}$' } }, required: ['id'], additionalProperties: false } as const;
