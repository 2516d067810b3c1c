import { copyFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { agentYaml, fakeKeys, makeProject, readJsonLines, runCli, simEnv, toolsYaml } from './helpers.js';

const original = 'export const greeting = "helo";\n';
const fixed = 'export const greeting = "hello";\n';
// The task carries the fake Anthropic key, so the cassette's request and metadata would hold it unless redacted.
const task = `task=fix the typo (token ${fakeKeys.ANTHROPIC_API_KEY})`;

let root: string;
let recordSimUrl: string;
let record: Awaited<ReturnType<typeof runCli>>;

async function runIds(): Promise<string[]> {
  return (await readdir(join(root, '.agentpipe', 'runs'))).sort();
}

// One recording against a simulator that is closed before any replay: a replay that touched the
// network would fail to connect, and it has no key to send anyway.
beforeAll(async () => {
  root = await makeProject({
    'agents/fixer.yaml': agentYaml('fixer', { tools: ['read', 'grep', 'edit'] }),
    'src/app.ts': original,
    // The agent greps the whole workspace: the cassette must be out of its sight (see the last test).
    'tools.yaml': toolsYaml.replace('".agentpipe/**"]', '".agentpipe/**", "cassettes/**"]'),
  });
  const sim: Simulator = await startSimulator();
  recordSimUrl = sim.url;
  try {
    sim.enqueue(
      // grep is scoped to src/: over the whole workspace its note "(N matching file(s) hidden by the read
      // rules)" would count .agentpipe/runs/**, which grows with every run, so the replay would differ.
      { toolCalls: [{ name: 'read', input: { path: 'src/app.ts' } }, { name: 'grep', input: { pattern: 'helo', glob: 'src/**' } }], usage: { input: 100, output: 20 } },
      { toolCalls: [{ name: 'edit', input: { path: 'src/app.ts', old_string: 'helo', new_string: 'hello' } }], usage: { input: 150, output: 20 } },
      { text: 'Fixed the typo in src/app.ts.', usage: { input: 200, output: 10 } },
    );
    record = await runCli(['run', 'agents/fixer.yaml', '--input', task, '--record', 'cassettes/fixer.json'], { cwd: root, env: simEnv(sim.url) });
    expect(sim.requests).toHaveLength(3);
  } finally {
    await sim.close();
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** No key at all, every base URL at the closed simulator's port. */
const replayEnv = () => simEnv(recordSimUrl, {});

describe('run --record / --replay', () => {
  it('records a run with tool calls into a pretty, versioned cassette that holds no key', async () => {
    expect(record.stderr).not.toMatch(/internal error/);
    expect(record.code).toBe(0);
    expect(record.stdout).toContain('Fixed the typo in src/app.ts.');
    expect(record.stderr).toContain('recorded 3 model call(s) to cassettes/fixer.json');
    expect(await readFile(join(root, 'src/app.ts'), 'utf8')).toBe(fixed);

    const text = await readFile(join(root, 'cassettes/fixer.json'), 'utf8');
    for (const key of Object.values(fakeKeys)) expect(text).not.toContain(key);
    expect(text).toContain('[REDACTED]');
    expect(text.split('\n').length).toBeGreaterThan(50);
    const cassette = JSON.parse(text);
    expect(cassette.version).toBe(1);
    expect(cassette.metadata.target).toBe('agents/fixer.yaml');
    expect(cassette.metadata.agentpipe).toMatch(/^\d+\.\d+\.\d+/);
    expect(cassette.calls.map((call: { model: string }) => call.model)).toEqual(['anthropic/claude-test', 'anthropic/claude-test', 'anthropic/claude-test']);
    expect(cassette.calls[0].key).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(cassette.calls.map((call: { key: string }) => call.key)).size).toBe(3);
    expect(await readdir(join(root, 'cassettes'))).toEqual(['fixer.json']);
  });

  it('replays it with the simulator stopped and no key: same output, same tool effects, exit 0', async () => {
    await writeFile(join(root, 'src/app.ts'), original);
    const before = await runIds();
    const replay = await runCli(['run', 'agents/fixer.yaml', '--input', task, '--replay', 'cassettes/fixer.json'], { cwd: root, env: replayEnv() });
    expect(replay.stderr).not.toMatch(/internal error|no model can be called/);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toBe(record.stdout);
    // Tools ran for real: the edit happened again, and the audit log of the new run shows each call.
    expect(await readFile(join(root, 'src/app.ts'), 'utf8')).toBe(fixed);
    const runId = (await runIds()).find((id) => !before.includes(id))!;
    const audit = await readJsonLines(join(root, '.agentpipe/runs', runId, 'audit.jsonl'));
    // read and grep were asked for together and run in parallel: either may finish first.
    expect(audit.map((line) => `${line['tool']} ${line['decision']}`).sort()).toEqual(['edit allowed', 'grep allowed', 'read allowed']);
    expect(audit.at(-1)?.['tool']).toBe('edit');
    const state = JSON.parse(await readFile(join(root, '.agentpipe/runs', runId, 'run.json'), 'utf8'));
    expect(state.status).toBe('succeeded');
    expect(state.ledger.entries).toHaveLength(3);
  });

  it('replays with --json: the result names the cassette', async () => {
    await writeFile(join(root, 'src/app.ts'), original);
    const replay = await runCli(['run', 'agents/fixer.yaml', '--input', task, '--replay', 'cassettes/fixer.json', '--json'], { cwd: root, env: replayEnv() });
    expect(replay.code).toBe(0);
    const result = JSON.parse(replay.stdout.trim().split('\n').at(-1)!);
    expect(result).toMatchObject({ type: 'run-result', status: 'succeeded', cassette: { mode: 'replay', path: 'cassettes/fixer.json' } });
    expect(result.outputs.output ?? Object.values(result.outputs)[0]).toBe('Fixed the typo in src/app.ts.');
  });

  it('a changed prompt fails with an error naming the step, the change and how to re-record (exit 1)', async () => {
    await writeFile(join(root, 'src/app.ts'), original);
    const agentFile = join(root, 'agents/fixer.yaml');
    const agent = await readFile(agentFile, 'utf8');
    await writeFile(agentFile, agent.replace('You are fixer.', 'You are a careful fixer.'));
    try {
      const replay = await runCli(['run', 'agents/fixer.yaml', '--input', task, '--replay', 'cassettes/fixer.json'], { cwd: root, env: replayEnv() });
      expect(replay.code).toBe(1);
      expect(replay.stderr).toContain("step 'fixer': replay: no recorded answer in cassettes/fixer.json for a call to anthropic/claude-test");
      expect(replay.stderr).toContain('system[0].text: recorded "You are fixer. MARK-fixer", now "You are a careful fixer. MARK-fixer"');
      expect(replay.stderr).toContain('re-record it with `agentpipe run agents/fixer.yaml --record cassettes/fixer.json`');
      expect(replay.stderr).not.toMatch(/internal error|\n\s+at .+:\d+:\d+/);
      // Nothing ran: no model answer, so no tool call.
      expect(await readFile(join(root, 'src/app.ts'), 'utf8')).toBe(original);
    } finally {
      await writeFile(agentFile, agent);
    }
  });

  it("warns when the agent's tools can read the cassette, which makes the replay miss", async () => {
    await copyFile(join(root, 'cassettes/fixer.json'), join(root, 'src/fixer.json'));
    await writeFile(join(root, 'src/app.ts'), original);
    try {
      const replay = await runCli(['run', 'agents/fixer.yaml', '--input', task, '--replay', 'src/fixer.json'], { cwd: root, env: replayEnv() });
      expect(replay.stderr).toContain('warning: the tools of fixer may read src/fixer.json');
      // grep now also finds "helo" in the cassette, so its result and the next request differ.
      expect(replay.code).toBe(1);
      expect(replay.stderr).toContain('messages[2].results[1].output');
    } finally {
      await rm(join(root, 'src/fixer.json'), { force: true });
    }
  });

  it('usage errors exit 2 before anything runs', async () => {
    const both = await runCli(['run', 'agents/fixer.yaml', '--input', task, '--record', 'a.json', '--replay', 'b.json'], { cwd: root, env: replayEnv() });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--record and --replay cannot be used together');
    const missing = await runCli(['run', 'agents/fixer.yaml', '--input', task, '--replay', 'cassettes/none.json'], { cwd: root, env: replayEnv() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cassette cassettes/none.json does not exist');
    const dryRun = await runCli(['run', 'agents/fixer.yaml', '--input', task, '--dry-run', '--replay', 'cassettes/fixer.json'], { cwd: root, env: replayEnv() });
    expect(dryRun.code).toBe(2);
  });
});
