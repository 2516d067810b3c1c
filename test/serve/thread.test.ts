// Conversation threads through serve: POST /v1/runs with `thread` continues that conversation as
// `run --thread` does (in a worker thread and on the HTTP thread), the run shows its thread, a
// template or a bad id is a 400 with the reason, and a thread of another agent fails the run.

import { afterEach, describe, expect, it } from 'vitest';
import { agentYaml } from '../e2e/helpers.js';
import { api, catalogueFiles, startFixture, waitForStatus, type ServeFixture } from './helpers.js';

let fixture: ServeFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe.each([1, 0])('serve: runs that continue a thread (--workers %i)', (workers) => {
  it('sends the earlier turns of the thread; stateless without one; 400 for a template or a bad id', async () => {
    fixture = await startFixture({ workers, files: { ...catalogueFiles(), 'agents/other.yaml': agentYaml('other') } });
    const { url, sim } = fixture;
    const start = async (body: Record<string, unknown>) => {
      const submitted = await api(url, '/v1/runs', { body });
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
      return waitForStatus(url, submitted.body.id, ['succeeded', 'failed']);
    };
    const first = await start({ target: 'worker', inputs: { task: 'first question' }, thread: 'support-7' });
    expect(first.status, first.error).toBe('succeeded');
    expect(first.thread).toBe('support-7');
    sim.reset();
    expect((await start({ target: 'worker', inputs: { task: 'second question' }, thread: 'support-7' })).status).toBe('succeeded');
    const body = JSON.stringify(sim.requests[0]?.body);
    expect(body).toContain('first question');
    expect(body.indexOf('first question')).toBeLessThan(body.indexOf('second question'));

    sim.reset();
    expect((await start({ target: 'worker', inputs: { task: 'third question' } })).status).toBe('succeeded');
    expect(JSON.stringify(sim.requests[0]?.body)).not.toContain('first question');

    // The thread belongs to agent worker: another agent's run on it fails and says why, unpaid.
    sim.reset();
    const other = await start({ target: 'other', inputs: { task: 'hijack' }, thread: 'support-7' });
    expect(other.status).toBe('failed');
    expect(other.error).toContain(`thread "support-7" belongs to agent 'worker'`);
    expect(sim.requests).toHaveLength(0);

    const template = await api(url, '/v1/runs', { body: { target: 'chain', inputs: {}, thread: 't-1' } });
    expect(template.status).toBe(400);
    expect(JSON.stringify(template.body)).toContain('cannot be used with a template');
    const bad = await api(url, '/v1/runs', { body: { target: 'worker', inputs: { task: 'x' }, thread: 'has spaces' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('is not a thread id');
  });
});
