// Conversation threads and long-term facts through the CLI against the simulator: a thread carries
// earlier turns, a run without --thread is stateless, older turns are summarised (and charged), a
// SIGKILL mid-run leaves the thread usable, and forget leaves no trace of the text in the file.

import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimRequest, type Simulator } from '../../src/sim/index.js';
import { agentYaml, makeProject, pause, providersYaml, runCli, simEnv, spawnCli } from '../e2e/helpers.js';
import { embeddingModels } from '../knowledge/helpers.js';

let sim: Simulator;
let root: string;
let env: NodeJS.ProcessEnv;
const chats = () => sim.requests.filter((request) => request.kind === undefined);
const bodyOf = (request: SimRequest) => JSON.stringify(request.body);

const memoryAgent = (name: string, memory: string) => `${agentYaml(name, { model: 'anthropic/claude-test', inputs: ['question'] })}memory:\n${memory}`;

beforeAll(async () => {
  // Answers: a summary request by its instructions, a slow answer for the SIGKILL test, else an echo.
  sim = await startSimulator({
    embeddingDimensions: 128,
    script: (request) => {
      const body = bodyOf(request);
      if (body.includes('running summary of a conversation')) return { text: 'SUMMARY: the user is Ada Lovelace and likes engines.', usage: { input: 80, output: 12 } };
      if (body.includes('SLOW-QUESTION')) return { text: 'too late', latencyMs: 30_000 };
      const last = /question=([^"\\]*)/g;
      let match: RegExpExecArray | null;
      let question = '';
      while ((match = last.exec(body))) question = match[1] ?? '';
      return { text: `ANSWER to ${question}`, usage: { input: 50, output: 5 } };
    },
  });
  root = await makeProject({
    'providers.yaml': providersYaml().replace('models:\n', embeddingModels),
    'agents/chat.yaml': memoryAgent('chat', '  thread: { window: 4, summary_model: openai/gpt-test }\n'),
    'agents/other.yaml': memoryAgent('other', '  thread: {}\n'),
  });
  env = simEnv(sim.url);
});
afterAll(async () => {
  await sim.close();
  await rm(root, { recursive: true, force: true });
});

const run = (question: string, thread?: string, agent = 'chat') =>
  runCli(['run', `agents/${agent}.yaml`, '--input', `question=${question}`, ...(thread ? ['--thread', thread] : [])], { cwd: root, env });

async function readTree(directory: string): Promise<Buffer> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return Buffer.concat(await Promise.all(files.map((file) => readFile(file).catch(() => Buffer.alloc(0)))));
}

async function storeBytes(): Promise<Buffer> {
  const parts = await Promise.all(['store.db', 'store.db-wal', 'store.db-shm'].map((file) => readFile(join(root, '.agentpipe', file)).catch(() => Buffer.alloc(0))));
  return Buffer.concat(parts);
}

describe('conversation threads', () => {
  it('sends the earlier turns of the thread; a run without --thread is stateless', async () => {
    expect((await run('my name is ADA-MARKER', 't1')).code).toBe(0);
    sim.reset();
    const second = await run('what is my name?', 't1');
    expect(second.stderr).not.toMatch(/internal error/);
    expect(second.code).toBe(0);
    const body = bodyOf(chats()[0]!);
    expect(body).toContain('my name is ADA-MARKER');
    expect(body).toContain('ANSWER to my name is ADA-MARKER');
    sim.reset();
    expect((await run('what is my name?')).code).toBe(0);
    expect(bodyOf(chats()[0]!)).not.toContain('ADA-MARKER');
  });

  it('folds turns older than the window into a rolling summary made by summary_model and charged to the run', async () => {
    expect((await run('third question', 't1')).code).toBe(0);
    sim.reset();
    const result = await runCli(['run', 'agents/chat.yaml', '--input', 'question=fourth question', '--thread', 't1', '--json'], { cwd: root, env });
    expect(result.code).toBe(0);
    const summaryCall = chats().find((request) => bodyOf(request).includes('running summary'));
    expect(summaryCall?.model).toBe('gpt-test');
    const answerCall = chats().find((request) => request.model === 'claude-test')!;
    expect(bodyOf(answerCall)).toContain('SUMMARY: the user is Ada Lovelace');
    // The window (4 turns) is sent verbatim: the first question is only in the summary now.
    expect(bodyOf(answerCall)).not.toContain('my name is ADA-MARKER');
    const runId = /"runId":"([^"]+)"/.exec(result.stdout)?.[1];
    const ledger = JSON.parse((await runCli(['runs', runId!, '--json'], { cwd: root, env })).stdout) as { by: { model: Record<string, { costUsd: number }> } };
    expect(ledger.by.model['openai/gpt-test']?.costUsd).toBeGreaterThan(0);
    const shown = JSON.parse((await runCli(['memory', 'show', 't1', '--json'], { cwd: root, env })).stdout) as { summary: string; turns: unknown[] };
    expect(shown.summary).toContain('Ada Lovelace');
    expect(shown.turns).toHaveLength(8);
  });

  it('refuses a thread that belongs to another agent', async () => {
    const result = await run('hi', 't1', 'other');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`thread "t1" belongs to agent 'chat'`);
  });

  it('survives a SIGKILL mid-run: earlier turns intact, the unanswered question kept but not replayed', async () => {
    expect((await run('before the crash', 'k1', 'other')).code).toBe(0);
    sim.reset();
    const { child, done } = spawnCli(['run', 'agents/other.yaml', '--input', 'question=SLOW-QUESTION', '--thread', 'k1'], { cwd: root, env });
    while (!chats().some((request) => bodyOf(request).includes('SLOW-QUESTION'))) await pause(20);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    // The killed run remembers its thread, so `run --resume` continues the same conversation.
    const states = await Promise.all((await readdir(join(root, '.agentpipe', 'runs'))).map((id) => readFile(join(root, '.agentpipe', 'runs', id, 'run.json'), 'utf8').then((text) => JSON.parse(text) as { thread?: string; status: string })));
    expect(states.filter((state) => state.thread === 'k1').map((state) => state.status)).toContain('running');
    const shown = JSON.parse((await runCli(['memory', 'show', 'k1', '--json'], { cwd: root, env })).stdout) as { turns: Array<{ content: string; answered: boolean }> };
    expect(shown.turns.map((turn) => [turn.content, turn.answered])).toEqual([
      ['question=before the crash', true],
      ['ANSWER to before the crash', true],
      ['question=SLOW-QUESTION', false],
    ]);
    sim.reset();
    const after = await run('after the crash', 'k1', 'other');
    expect(after.code).toBe(0);
    const body = bodyOf(chats()[0]!);
    expect(body).toContain('ANSWER to before the crash');
    expect(body).not.toContain('SLOW-QUESTION');
  });

  it('forget deletes the thread and leaves none of its text in the store file or its WAL', async () => {
    expect((await storeBytes()).includes('ADA-MARKER')).toBe(true);
    const result = await runCli(['memory', 'forget', 't1'], { cwd: root, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/forgot thread t1 and 4 run record\(s\) of it/);
    const bytes = await storeBytes();
    expect(bytes.includes('ADA-MARKER')).toBe(false);
    expect(bytes.includes('Ada Lovelace')).toBe(false);
    // Nor anywhere else under .agentpipe/: the thread's run records went with it.
    const everything = await readTree(join(root, '.agentpipe'));
    expect(everything.includes('ADA-MARKER')).toBe(false);
    const list = await runCli(['memory', 'list', '--json'], { cwd: root, env });
    expect((JSON.parse(list.stdout) as { threads: Array<{ id: string }> }).threads.map((thread) => thread.id)).not.toContain('t1');
    expect((await runCli(['memory', 'forget', 't1'], { cwd: root, env })).code).toBe(2);
  });
});

describe('long-term facts', () => {
  it('remember in one agent, recall by similarity in another sharing the scope, then forget leaves no trace', async () => {
    const factsAgent = (name: string) => memoryAgent(name, '  facts: { scope: team, embedding: openai/text-embedding-3-small }\n');
    const factsRoot = await makeProject({ 'providers.yaml': providersYaml().replace('models:\n', embeddingModels), 'agents/writer.yaml': factsAgent('writer'), 'agents/reader.yaml': factsAgent('reader') });
    try {
      sim.reset();
      sim.setFault(undefined);
      const scripted = await startSimulator({
        embeddingDimensions: 128,
        script: [
          { toolCalls: [{ name: 'remember', input: { fact: 'The staging deploy password hint is PURPLE-OTTER' } }] },
          { text: 'Noted.' },
          { toolCalls: [{ name: 'recall', input: { query: 'password hint for the staging deploy' } }] },
          { text: 'It is PURPLE-OTTER.' },
        ],
      });
      try {
        const factsEnv = simEnv(scripted.url);
        expect((await runCli(['run', 'agents/writer.yaml', '--input', 'question=remember this'], { cwd: factsRoot, env: factsEnv })).code).toBe(0);
        const read = await runCli(['run', 'agents/reader.yaml', '--input', 'question=what is the hint?'], { cwd: factsRoot, env: factsEnv });
        expect(read.code).toBe(0);
        const chatCalls = scripted.requests.filter((request) => request.kind === undefined);
        expect(JSON.stringify(chatCalls[2]!.body)).toContain('"remember"');
        expect(JSON.stringify(chatCalls[3]!.body)).toMatch(/\[1\] The staging deploy password hint is PURPLE-OTTER \(fact 1/);
      } finally {
        await scripted.close();
      }
      const list = JSON.parse((await runCli(['memory', 'list', '--json'], { cwd: factsRoot, env })).stdout) as { facts: Array<{ id: number; scope: string }> };
      expect(list.facts).toMatchObject([{ id: 1, scope: 'team' }]);
      expect((await runCli(['memory', 'forget', 'fact:1'], { cwd: factsRoot, env })).code).toBe(0);
      const parts = await Promise.all(['store.db', 'store.db-wal', 'store.db-shm'].map((file) => readFile(join(factsRoot, '.agentpipe', file)).catch(() => Buffer.alloc(0))));
      expect(Buffer.concat(parts).includes('PURPLE-OTTER')).toBe(false);
    } finally {
      await rm(factsRoot, { recursive: true, force: true });
    }
  });
});
