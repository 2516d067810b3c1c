// What `agentpipe run` writes where: stdout holds the final answer exactly once (the validated JSON
// for an agent with an output schema), streamed text only reaches a terminal, lines never run
// into each other, and a reader that goes away (`| head`) stops the run quietly, resumable.

import { spawn } from 'node:child_process';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { agentYaml, makeProject, onlyRunId, readRunState, repoRoot, runCli, runFile, simEnv, startChainProject, type ChainProject } from './helpers.js';
import { quote, replayScreen, underTerminal } from './terminal.js';

/** Runs `agentpipe <args> <pipeline>` in bash and reports the CLI's own exit status (PIPESTATUS). */
function inShell(args: string, pipeline: string, options: { cwd: string; env: NodeJS.ProcessEnv }) {
  const line = `${quote(process.execPath)} ${quote(join(repoRoot, 'bin/agentpipe.js'))} ${args} ${pipeline}; echo "exit=\${PIPESTATUS[0]}"`;
  const child = spawn('bash', ['-c', line], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ stdout: string; stderr: string; exit: number }>((resolve) =>
    child.on('close', () => resolve({ stdout: stdout.replace(/exit=\d+\n$/, ''), stderr, exit: Number(/exit=(\d+)\n$/.exec(stdout)?.[1]) })),
  );
}

const stackTrace = /EPIPE|\n\s+at |node:internal|Unhandled/;

describe('a closed stdout (`| head`)', () => {
  let project: ChainProject;
  beforeAll(async () => {
    project = await startChainProject({ name: 'piped', stepIds: ['p1', 'p2', 'p3', 'p4'] });
  });
  afterAll(() => project.close());

  async function expectResumable(runId: string) {
    const { root, env } = project;
    const state = await readRunState(root, runId);
    expect(state.status).toBe('interrupted');
    expect(state.error).toMatch(/^stdout was closed/);
    expect((await readdir(runFile(root, runId, ''))).filter((name) => name === 'lock' || name.endsWith('.tmp'))).toEqual([]);
    const listed = await runCli(['runs'], { cwd: root, env });
    expect(listed.stdout).toMatch(new RegExp(`${runId}\\s+interrupted`));
    const resumed = await runCli(['run', '--resume', runId], { cwd: root, env });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toBe('done p4\n');
  }

  it('with --json | head -2: two events, then a quiet stop: no stack trace, exit 130, state saved as interrupted, resumable', async () => {
    await project.clearRuns();
    const result = await inShell(`run ${project.template} --json`, '| head -2', { cwd: project.root, env: project.env });
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; runId: string });
    expect(lines.map((line) => line.type)).toEqual(['run-start', 'step-start']);
    expect(result.stderr).toBe('');
    expect(result.exit).toBe(130);
    await expectResumable(lines[0]!.runId);
  });

  it('with 2>&1 | head -3 (the display and the answer in one pipe): the same quiet stop', async () => {
    await project.clearRuns();
    const result = await inShell(`run ${project.template}`, '2>&1 | head -3', { cwd: project.root, env: project.env });
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    expect(result.stdout + result.stderr).not.toMatch(stackTrace);
    expect(result.exit).toBe(130);
    await expectResumable(await onlyRunId(project.root));
  });

  it('`agentpipe runs | head -1` stops quietly too', async () => {
    const result = await inShell('runs', '| head -1', { cwd: project.root, env: project.env });
    expect(result.stdout).toMatch(/^run\s+status/);
    expect(result.stderr).toBe('');
    expect(result.exit).toBe(0);
  });
});

describe('the answer on stdout', () => {
  let sim: Simulator;
  let root: string;
  const answer = { answer: 'Facts about wasm.', sources: ['https://example.org/a'] };
  beforeAll(async () => {
    sim = await startSimulator({
      script: (request) => {
        const body = JSON.stringify(request.body);
        // Streamed in many small chunks, without a final newline.
        if (body.includes('MARK-chatty')) return { text: 'First line of the answer.\nSecond line, no newline at the end.' };
        return { text: JSON.stringify(answer) };
      },
    });
    const output = 'output:\n  schema: { type: object, required: [answer], properties: { answer: { type: string }, sources: { type: array } } }\n';
    root = await makeProject({ 'agents/researcher.yaml': agentYaml('researcher', { output }), 'agents/chatty.yaml': agentYaml('chatty') });
  });
  afterAll(async () => {
    await sim.close();
    await rm(root, { recursive: true, force: true });
  });

  it('an agent with an output schema, redirected (`> out.json`): stdout is the validated JSON, once, and parses', async () => {
    const result = await runCli(['run', 'agents/researcher.yaml', '--input', 'task=wasm'], { cwd: root, env: simEnv(sim.url) });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(answer);
    expect(result.stdout.match(/Facts about wasm/g)).toHaveLength(1);
  });

  it('an agent with an output schema in a terminal: the answer shows once, as validated JSON', async () => {
    const { code, output } = await underTerminal('run agents/researcher.yaml --input task=wasm', { cwd: root, env: simEnv(sim.url) }).done;
    expect(code).toBe(0);
    expect(output.match(/Facts about wasm/g)).toHaveLength(1);
    expect(replayScreen(output).slice(-6)).toEqual(['{', '  "answer": "Facts about wasm.",', '  "sources": [', '    "https://example.org/a"', '  ]', '}']);
  });

  it('a plain agent in a terminal streams its answer to stdout once; the next line starts on a line of its own', async () => {
    const { code, output } = await underTerminal('run agents/chatty.yaml --input task=talk', { cwd: root, env: simEnv(sim.url) }).done;
    expect(code).toBe(0);
    expect(output.match(/Second line, no newline at the end\./g)).toHaveLength(1);
    const screen = replayScreen(output);
    const last = screen.indexOf('Second line, no newline at the end.');
    expect(screen[last - 1]).toBe('First line of the answer.');
    expect(screen[last + 1]).toMatch(/^\[chatty\] succeeded: /);
    expect(output.endsWith('\n')).toBe(true);
  });

  it('a plain agent redirected: nothing streams; the file holds the answer once, with a final newline', async () => {
    const result = await runCli(['run', 'agents/chatty.yaml', '--input', 'task=talk'], { cwd: root, env: simEnv(sim.url) });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('First line of the answer.\nSecond line, no newline at the end.\n');
    expect(result.stderr).not.toContain('Second line');
    expect(result.stderr.endsWith('\n')).toBe(true);
  });

  it('every run has an audit.jsonl, empty when no tool was called', async () => {
    await rm(join(root, '.agentpipe'), { recursive: true, force: true });
    await runCli(['run', 'agents/chatty.yaml', '--input', 'task=talk'], { cwd: root, env: simEnv(sim.url) });
    expect(await readFile(runFile(root, await onlyRunId(root), 'audit.jsonl'), 'utf8')).toBe('');
  });
});
