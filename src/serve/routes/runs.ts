// Runs: submit (202, queued), list with filters and cursor paging, one run with its state, steps,
// outputs and ledger, cancel and resume.

import { stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { CostLedger, type LedgerKey } from '../../cost/ledger.js';
import { loadRunState, runFiles } from '../../run/state.js';
import { redactValue } from '../../tools/redact.js';
import type { ServeContext } from '../context.js';
import type { IndexedRun, RunQuery } from '../run-index.js';
import { createRunBody, errorResponses, idParams, listRunsQuery, runSummary } from '../schemas.js';
import { submitRun, type RunRequest } from '../submit.js';

/** What a list shows of a run: everything but its inputs (they may be large). */
export function summary(run: IndexedRun): Omit<IndexedRun, 'inputs' | 'attempts'> {
  const { inputs: _inputs, attempts: _attempts, ...rest } = run;
  return rest;
}

export default async function runRoutes(app: FastifyInstance, { context }: { context: ServeContext }): Promise<void> {
  const { index, runner } = context;

  app.post<{ Body: RunRequest }>(
    '/v1/runs',
    {
      config: { role: 'runner' },
      schema: {
        summary: 'Start a run of an agent or template',
        tags: ['runs'],
        body: createRunBody,
        response: { 202: { type: 'object', properties: { id: runSummary.properties.id, status: { type: 'string' } }, required: ['id', 'status'] }, ...errorResponses },
      },
    },
    async (request, reply) => reply.code(202).send(await submitRun(context, request.body)),
  );

  app.get<{ Querystring: RunQuery }>(
    '/v1/runs',
    { config: { role: 'viewer' }, schema: { summary: 'Runs, newest first', tags: ['runs'], querystring: listRunsQuery, response: { 200: { type: 'object', properties: { runs: { type: 'array', items: runSummary }, nextCursor: { type: 'string' } }, required: ['runs'] } } } },
    async (request) => {
      const limit = request.query.limit;
      const rows = index.list({ ...request.query, limit: limit + 1 });
      const page = rows.slice(0, limit);
      return { runs: page.map(summary), ...(rows.length > limit ? { nextCursor: page.at(-1)!.id } : {}) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/runs/:id',
    { config: { role: 'viewer' }, schema: { summary: 'One run: state, steps, outputs and cost ledger', tags: ['runs'], params: idParams, response: { 200: { type: 'object', additionalProperties: true }, ...errorResponses } } },
    async (request, reply) => {
      const run = index.get(request.params.id);
      if (!run) return reply.code(404).send({ error: `no run ${request.params.id}` });
      const state = await loadRunState(context.root, run.id).catch(() => undefined);
      const ledger = state?.ledger === undefined ? new CostLedger() : CostLedger.fromJSON(state.ledger);
      const keys: LedgerKey[] = ['stepId', 'agent', 'provider', 'model'];
      const by = Object.fromEntries(keys.map((key) => [key, Object.fromEntries(ledger.groupBy(key))]));
      const events = await stat(runFiles(context.root, run.id).events).then(() => `/v1/runs/${run.id}/events`, () => undefined);
      // Run files are redacted when written; this catches a value added to .env since.
      return redactValue(
        {
          ...summary(run),
          inputs: run.inputs,
          steps: state?.steps ?? {},
          ...(state?.outputs ? { outputs: state.outputs } : {}),
          ledger: { total: ledger.total(), by, entries: ledger.entries },
          ...(events ? { events } : {}),
        },
        context.env,
      );
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/runs/:id/cancel',
    { config: { role: 'runner' }, schema: { summary: 'Stop a queued or running run (state saved; resumable)', tags: ['runs'], params: idParams, response: { 202: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' } } }, ...errorResponses } } },
    async (request, reply) => {
      const run = index.get(request.params.id);
      if (!run) return reply.code(404).send({ error: `no run ${request.params.id}` });
      if (!runner.cancel(run.id)) return reply.code(409).send({ error: `run ${run.id} is ${run.status}; only queued or running runs can be cancelled` });
      return reply.code(202).send({ id: run.id, status: index.get(run.id)?.status ?? run.status });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/runs/:id/resume',
    { config: { role: 'runner' }, schema: { summary: 'Continue a failed, interrupted or cancelled run from its last saved step', tags: ['runs'], params: idParams, response: { 202: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' } } }, ...errorResponses } } },
    async (request, reply) => {
      const run = index.get(request.params.id);
      if (!run) return reply.code(404).send({ error: `no run ${request.params.id}` });
      if (!['failed', 'interrupted', 'cancelled'].includes(run.status)) return reply.code(409).send({ error: `run ${run.id} is ${run.status}; only failed, interrupted or cancelled runs can be resumed` });
      const started = await stat(runFiles(context.root, run.id).state).then(() => true, () => false);
      if (started) await runner.resume(run);
      else {
        index.setStatus(run.id, 'queued');
        runner.enqueue(run.id);
      }
      return reply.code(202).send({ id: run.id, status: 'queued' });
    },
  );
}
