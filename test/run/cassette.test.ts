// Record and replay through the real ports: the real chain, the real Anthropic and OpenAI adapters and
// SDKs against the wire simulator while recording; no simulator, no key and no network while replaying.

import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelChain, ModelSpec } from '../../src/compile/ir.js';
import { UsageError } from '../../src/errors.js';
import type { CallOptions, LanguageModel } from '../../src/providers/types.js';
import { CassetteMissError, CassettePlayer, CassetteRecorder } from '../../src/run/cassette.js';
import { readCassette } from '../../src/run/cassette-file.js';
import { firstDifference, normaliseRequest, requestKey, runPlaceholders } from '../../src/run/cassette-key.js';
import { createDefaultPorts } from '../../src/run/default-ports.js';
import type { RunEventInput } from '../../src/run/events.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';

const fakeKey = 'test-anthropic-key-0123456789abcdef';
const fakeOpenAIKey = 'test-openai-key-0123456789abcdef';

const spec = (provider: 'anthropic' | 'openai', model: string): ModelSpec => ({
  ref: { provider, model, id: `${provider}/${model}` },
  provider: { name: provider, type: provider },
  pricing: { input: 1, output: 1 },
});
const claude = spec('anthropic', 'claude-test');
const gpt = spec('openai', 'gpt-test');

const chainOf = (...models: ModelSpec[]): ModelChain => ({
  name: 'main',
  models,
  retry: { attempts: 2, initialDelayMs: 1, maxDelayMs: 1, honorRetryAfter: false },
  fallbackOn: ['rate_limited', 'server_error', 'overloaded', 'timeout', 'network', 'unavailable'],
  rateLimits: {},
});
/** The same models with a minute between retries and 1 request a minute: a replay that waited would time out. */
const slowChainOf = (...models: ModelSpec[]): ModelChain => ({
  ...chainOf(...models),
  retry: { attempts: 2, initialDelayMs: 60_000, maxDelayMs: 60_000, honorRetryAfter: true },
  rateLimits: { anthropic: { rpm: 1 }, openai: { rpm: 1 } },
});

const request = (user: string, extra: Partial<CallOptions> = {}): CallOptions => ({
  system: [{ text: 'You are a tester.', cacheable: true }],
  messages: [{ role: 'user', content: user }],
  tools: [{ name: 'read', description: 'Read a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } }],
  maxTokens: 100,
  temperature: 0,
  ...extra,
});

let sim: Simulator;
let directory: string;
beforeAll(async () => {
  sim = await startSimulator();
  directory = await mkdtemp(join(tmpdir(), 'agentpipe-cassette-'));
});
afterAll(async () => {
  await sim.close();
  await rm(directory, { recursive: true, force: true });
});

const recordEnv = () => ({ ANTHROPIC_API_KEY: fakeKey, ANTHROPIC_BASE_URL: sim.url, OPENAI_API_KEY: fakeOpenAIKey, OPENAI_BASE_URL: `${sim.url}/v1` });
/** Replay env: no key, and every base URL on a port where nothing listens. */
const replayEnv = () => ({ ANTHROPIC_BASE_URL: 'http://127.0.0.1:9', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' });

async function call(ports: ReturnType<typeof createDefaultPorts>, chain: ModelChain, options: CallOptions, events: RunEventInput[] = []) {
  const deltas: string[] = [];
  const answer = await ports.callChain(chain, options, { emit: (event) => events.push(event), signal: new AbortController().signal, onTextDelta: (delta) => deltas.push(delta) });
  return { ...answer, deltas };
}

describe('request keys', () => {
  const key = (options: CallOptions, model = 'anthropic/claude-test', run = {}) => requestKey(model, normaliseRequest(options, runPlaceholders(run)));

  it('ignore the abort signal and timeout, and change with anything the model sees', () => {
    const base = key(request('hi'));
    expect(key(request('hi', { abortSignal: new AbortController().signal, timeoutMs: 5 }))).toBe(base);
    expect(key(request('hi'), 'openai/gpt-test')).not.toBe(base);
    expect(key(request('hi!'))).not.toBe(base);
    expect(key(request('hi', { temperature: 0.5 }))).not.toBe(base);
    expect(key(request('hi', { system: [{ text: 'You are a tester.' }] }))).not.toBe(base);
    expect(key(request('hi', { tools: [] }))).not.toBe(base);
    expect(key(request('hi', { providerOptions: { anthropic: { x: 1 } } }))).not.toBe(base);
  });

  it('do not depend on key order, the run id, its date or the project root', () => {
    const first = { runId: '20260101-101010-123-abcdef', root: '/home/ci/project' };
    const second = { runId: '20260302-090000-001-012345', root: '/tmp/other' };
    const text = (run: typeof first) => `run ${run.runId} on ${run.runId.slice(0, 4)}-${run.runId.slice(4, 6)}-${run.runId.slice(6, 8)} in ${run.root}/src/a.ts`;
    expect(key(request(text(first)), undefined, first)).toBe(key(request(text(second)), undefined, second));
    expect(key(request(text(first)), undefined, first)).not.toBe(key(request(text(first)), undefined, second));
    const reordered = { ...request('hi'), temperature: 0, maxTokens: 100 };
    expect(key(reordered)).toBe(key(request('hi')));
  });

  it('name the first difference between two requests', () => {
    const recorded = normaliseRequest(request('fix the typo'));
    expect(firstDifference(recorded, normaliseRequest(request('fix the bug')))).toBe('messages[0].content: recorded "fix the typo", now "fix the bug"');
    expect(firstDifference(recorded, normaliseRequest(request('fix the typo', { temperature: 1 })))).toBe('params.temperature: recorded 0, now 1');
    expect(firstDifference(recorded, recorded)).toBeUndefined();
    // A recorded string that was redacted on disk still matches the live secret it hid.
    const redacted = normaliseRequest(request('use key [REDACTED] here'));
    expect(firstDifference(redacted, normaliseRequest(request(`use key ${fakeKey} here`)))).toBeUndefined();
    expect(firstDifference(redacted, normaliseRequest(request(`use key ${fakeKey} there`)))).toMatch(/^messages\[0\]\.content: recorded "use key \[REDACTED\] here"/);
  });
});

describe('record, then replay with no network and no key', () => {
  it('replays streamed text, tool calls and usage exactly, and the cassette holds no key', async () => {
    const path = join(directory, 'basic.json');
    const recorder = new CassetteRecorder(path, { root: directory, target: 'agents/a.yaml', inputs: { task: 'x' }, env: recordEnv() });
    const recording = createDefaultPorts(recordEnv(), { cassette: recorder });
    sim.enqueue({ toolCalls: [{ name: 'read', input: { path: 'a.txt' } }], usage: { input: 10, output: 5 } }, { text: 'The file says hello.', usage: { input: 20, output: 6 } });
    const chain = chainOf(claude);
    const first = await call(recording, chain, request('read a.txt'));
    const second = await call(recording, chain, request('now answer'));
    await recorder.flush();
    expect(recorder.recordedCalls).toBe(2);

    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(fakeKey);
    expect(text).toContain('\n  "calls": [');
    expect((await readdir(directory)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const cassette = await readCassette(path);
    expect(cassette.version).toBe(1);
    expect(cassette.metadata).toMatchObject({ target: 'agents/a.yaml', inputs: { task: 'x' } });
    expect(cassette.metadata.agentpipe).toMatch(/^\d+\.\d+\.\d+/);
    expect(Date.parse(cassette.metadata.recordedAt)).not.toBeNaN();
    expect(cassette.calls.map((recorded) => [recorded.model, recorded.kind])).toEqual([
      ['anthropic/claude-test', 'stream'],
      ['anthropic/claude-test', 'stream'],
    ]);

    const before = sim.requests.length;
    const player = await CassettePlayer.open(path, { root: directory, env: replayEnv() });
    const replaying = createDefaultPorts(replayEnv(), { cassette: player });
    const again = [await call(replaying, chain, request('read a.txt')), await call(replaying, chain, request('now answer'))];
    expect(sim.requests.length).toBe(before);
    expect(again.map((answer) => answer.result)).toEqual([first.result, second.result]);
    expect(again[1]!.deltas.join('')).toBe('The file says hello.');
    expect(again[1]!.deltas).toEqual(second.deltas);
    expect(again[0]!.model.ref.id).toBe('anthropic/claude-test');
  });

  it('serves a repeated request its recorded answers in order, then misses', async () => {
    const path = join(directory, 'repeat.json');
    const recorder = new CassetteRecorder(path, { root: directory, target: 'agents/a.yaml', inputs: {}, env: recordEnv() });
    const recording = createDefaultPorts(recordEnv(), { cassette: recorder });
    sim.enqueue({ text: 'first' }, { text: 'second' });
    const chain = chainOf(claude);
    await call(recording, chain, request('same'));
    await call(recording, chain, request('same'));
    await recorder.flush();

    const replaying = createDefaultPorts({}, { cassette: await CassettePlayer.open(path, { root: directory, env: {} }) });
    const texts = [];
    for (let index = 0; index < 2; index++) texts.push((await call(replaying, chain, request('same'))).deltas.join(''));
    expect(texts).toEqual(['first', 'second']);
    const third = call(replaying, chain, request('same'));
    await expect(third).rejects.toBeInstanceOf(CassetteMissError);
    await expect(third).rejects.toThrow(/recorded 2 time\(s\) and is now made once more/);
  });

  it('a changed request is a CassetteMissError naming the difference and how to re-record, not a fallback', async () => {
    const path = join(directory, 'miss.json');
    const recorder = new CassetteRecorder(path, { root: directory, target: 'agents/fixer.yaml', inputs: {}, env: recordEnv() });
    sim.enqueue({ text: 'ok' });
    await call(createDefaultPorts(recordEnv(), { cassette: recorder }), chainOf(claude, gpt), request('fix the typo'));
    await recorder.flush();

    const events: RunEventInput[] = [];
    const replaying = createDefaultPorts({}, { cassette: await CassettePlayer.open(path, { root: directory, env: {} }) });
    const error = await call(replaying, chainOf(claude, gpt), request('fix the bug'), events).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CassetteMissError);
    const message = (error as Error).message;
    expect(message).toContain('messages[0].content: recorded "fix the typo", now "fix the bug"');
    expect(message).toContain(`agentpipe run agents/fixer.yaml --record ${path}`);
    expect((error as CassetteMissError).exitCode).toBe(1);
    expect(events.filter((event) => event.type === 'model-fallback' || event.type === 'model-retry')).toEqual([]);
  });

  it('replays retries and fallbacks as recorded, without waiting, and skips models the recording never called', async () => {
    const path = join(directory, 'fallback.json');
    const recorder = new CassetteRecorder(path, { root: directory, target: 'agents/a.yaml', inputs: {}, env: recordEnv() });
    const chain = chainOf(claude, gpt);
    sim.enqueue({ fault: { kind: 'server-error' } }, { fault: { kind: 'rate-limit', retryAfterSeconds: 60 } }, { text: 'from gpt' });
    const recorded: RunEventInput[] = [];
    const answer = await call(createDefaultPorts(recordEnv(), { cassette: recorder }), chain, request('hello'), recorded);
    await recorder.flush();
    expect(answer.model.ref.id).toBe('openai/gpt-test');
    const cassette = await readCassette(path);
    expect(cassette.calls.map((entry) => [entry.model, entry.error?.errorClass ?? 'ok'])).toEqual([
      ['anthropic/claude-test', 'server_error'],
      ['anthropic/claude-test', 'rate_limited'],
      ['openai/gpt-test', 'ok'],
    ]);

    // Replayed with the slow chain (a minute between retries, 1 rpm): nothing may wait.
    const events: RunEventInput[] = [];
    const replaying = createDefaultPorts({}, { cassette: await CassettePlayer.open(path, { root: directory, env: {} }) });
    const started = Date.now();
    const replayed = await call(replaying, slowChainOf(claude, gpt), request('hello'), events);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(replayed.deltas.join('')).toBe('from gpt');
    const shape = (list: RunEventInput[]) => list.filter((event) => event.type.startsWith('model-')).map((event) => event.type);
    expect(shape(events)).toEqual(['model-call', 'model-retry', 'model-call', 'model-fallback', 'model-call']);
    expect(shape(events)).toEqual(shape(recorded));

    // A cassette with only gpt calls: claude is skipped in replay as it was (say, no key) when recorded.
    const onlyGpt = join(directory, 'only-gpt.json');
    await writeFile(onlyGpt, JSON.stringify({ ...cassette, calls: cassette.calls.slice(2) }));
    const skipped: RunEventInput[] = [];
    const fromGpt = await call(createDefaultPorts({}, { cassette: await CassettePlayer.open(onlyGpt, { root: directory, env: {} }) }), chainOf(claude, gpt), request('hello'), skipped);
    expect(fromGpt.model.ref.id).toBe('openai/gpt-test');
    expect(skipped.find((event) => event.type === 'model-skipped')).toMatchObject({ model: 'anthropic/claude-test' });
  });
});

describe('search augmentation', () => {
  it('is recorded outside the cassette key and not run on replay', async () => {
    const path = join(directory, 'search.json');
    const recorder = new CassetteRecorder(path, { root: directory, target: 'agents/a.yaml', inputs: {}, env: recordEnv() });
    let searches = 0;
    // What withSearch does: add today's sources as a last system part, different on every run.
    const addSources = (model: LanguageModel): LanguageModel => {
      const augment = (options: CallOptions): CallOptions => ({ ...options, system: [...options.system, { text: `[1] source #${++searches}` }] });
      return { provider: model.provider, modelId: model.modelId, generate: (options) => model.generate(augment(options)), stream: (options) => model.stream(augment(options)) };
    };
    const hooks = (wrapModel?: (model: LanguageModel) => LanguageModel) => ({ emit: () => {}, signal: new AbortController().signal, onTextDelta: () => {}, ...(wrapModel ? { wrapModel } : {}) });
    sim.enqueue({ text: 'with sources' });
    const before = sim.requests.length;
    await createDefaultPorts(recordEnv(), { cassette: recorder }).callChain(chainOf(claude), request('latest news'), hooks(addSources));
    await recorder.flush();
    expect(JSON.stringify(sim.requests[before]!.body)).toContain('[1] source #1');
    expect(JSON.stringify((await readCassette(path)).calls[0]!.request)).not.toContain('source #');

    const replaying = createDefaultPorts({}, { cassette: await CassettePlayer.open(path, { root: directory, env: {} }) });
    const answer = await replaying.callChain(chainOf(claude), request('latest news'), hooks(addSources));
    expect(answer.result.content).toEqual([{ type: 'text', text: 'with sources' }]);
    expect(searches).toBe(1);
  });
});

describe('cassette files', () => {
  it('a missing, foreign or newer file is a usage error (exit 2)', async () => {
    const open = (path: string) => CassettePlayer.open(path, { root: directory, env: {} });
    await expect(open(join(directory, 'nope.json'))).rejects.toThrow(/does not exist; record one with/);
    const foreign = join(directory, 'foreign.json');
    await writeFile(foreign, JSON.stringify({ version: 2, metadata: {}, calls: [] }));
    await expect(open(foreign)).rejects.toThrow(/version 2 is not supported/);
    await writeFile(foreign, JSON.stringify({ version: 1, metadata: {}, calls: [{ key: 'k', model: 'm', kind: 'stream' }] }));
    await expect(open(foreign)).rejects.toThrow(/calls\[0\] is malformed/);
    await writeFile(foreign, '{ not json');
    await expect(open(foreign)).rejects.toBeInstanceOf(UsageError);
  });
});
