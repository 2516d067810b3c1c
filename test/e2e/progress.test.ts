// The three progress displays of `agentpipe run`, against the wire simulator:
// - a terminal: the CLI runs under a pseudo-terminal (util-linux `script`), and the bytes listr2 wrote
//   are replayed onto a small virtual screen, so the test sees what a person would see at the end;
// - not a terminal: one plain line per event on stderr, then the summary;
// - --json: one NDJSON line per event on stdout (the same events as events.jsonl), then the result.

import { readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEvent, formatCost } from '../../src/cli/progress/format.js';
import type { RunEvent } from '../../src/run/events.js';
import { onlyRunId, readJsonLines, runCli, runFile as fileOfRun, startChainProject, waitForCall, waitForStep as waitForStepOf, type ChainProject } from './helpers.js';
import { cursorShown, quote, replayScreen, underTerminal as runUnderTerminal } from './terminal.js';

// Three steps on three providers: the display must show each step's own model.
const models = { gather: 'anthropic/claude-test', draft: 'openai/gpt-test', polish: 'gemini/gemini-test' };

let project: ChainProject;
let root: string;
beforeAll(async () => {
  // Slow enough that listr2 renders several frames (spinners) while a step runs.
  project = await startChainProject({ name: 'three', stepIds: Object.keys(models), latencyMs: 250, answer: (step) => `OUTPUT-${step}`, output: 'final', models: { draft: models.draft, polish: models.polish } });
  root = project.root;
});
afterAll(() => project.close());

async function freshRun(args: string[]) {
  await project.clearRuns();
  const result = await runCli(['run', project.template, ...args], { cwd: root, env: project.env });
  const runId = await onlyRunId(root);
  const events = (await readJsonLines(runFile(runId, 'events.jsonl'))) as unknown as RunEvent[];
  const state = JSON.parse(await readFile(runFile(runId, 'run.json'), 'utf8'));
  return { result, runId, events, state };
}

const runFile = (runId: string, name: string) => fileOfRun(root, runId, name);
const waitForStep = (step: string) => waitForStepOf(root, step);
const underTerminal = (args: string, redirect = '') => runUnderTerminal(args, { cwd: root, env: project.env, redirect });

describe('progress display', () => {
  it('in a terminal, listr2 ends with one line per step (id, model, tokens, cost), the summary and the output; exit 0', async () => {
    await project.clearRuns();
    const { code, output } = await underTerminal('run templates/three.yaml').done;
    expect(code).toBe(0);
    expect(cursorShown(output)).toBe(true);
    // It really was the terminal display: listr2 redraws with cursor movement, plain mode never does.
    expect(output).toMatch(/\x1b\[\d*A/);
    expect(output).not.toMatch(/started: agent worker/);

    const runId = await onlyRunId(root);
    const state = JSON.parse(await readFile(runFile(runId, 'run.json'), 'utf8'));
    const screen = replayScreen(output);
    const stepLines = Object.entries(models).map(([id, model]) => `${id}: succeeded · ${model} · 110 tok · ${formatCost(state.steps[id].costUsd)}`);
    // Each step's final line, once, in order, and no leftover frame ('waiting', 'running').
    expect(screen.slice(0, 3).map((line) => line.replace(/^\S+ /, ''))).toEqual(stepLines);
    expect(screen.filter((line) => /waiting|running/.test(line))).toEqual([]);
    for (const [id, model] of Object.entries(models)) expect(screen).toContainEqual(expect.stringMatching(new RegExp(`^  ${id} +succeeded +${model} +110 tok`)));
    expect(screen).toContainEqual(expect.stringMatching(new RegExp(`^done: \\${formatCost(state.costUsd)} in [\\d.]+ m?s \\(run ${runId}\\)$`)));
    expect(screen.at(-1)).toBe('OUTPUT-polish');
  });

  it('with stdout redirected to a file, draws on the terminal (stderr) and leaves the file the answer alone', async () => {
    await project.clearRuns();
    const file = join(root, 'answer.txt');
    const { code, output } = await underTerminal('run templates/three.yaml', ` > ${quote(file)}`).done;
    expect(code).toBe(0);
    expect(await readFile(file, 'utf8')).toBe('OUTPUT-polish\n');
    const screen = replayScreen(output);
    expect(screen.slice(0, 3).map((line) => line.replace(/^\S+ /, '').split(' · ')[0])).toEqual(['gather: succeeded', 'draft: succeeded', 'polish: succeeded']);
    expect(screen).not.toContain('OUTPUT-polish');
  });

  it('on Ctrl-C in a terminal, saves the run and exits 130: finished, interrupted and not-run steps, then how to resume', async () => {
    await project.clearRuns();
    const calls = project.sim.requests.length;
    const { done, cliPid } = underTerminal('run templates/three.yaml');
    const runId = await waitForStep('gather');
    // Mid-call in draft, so that it ends as interrupted rather than not run.
    await waitForCall(project.sim, 'draft', calls);
    process.kill(await cliPid(), 'SIGINT');
    const { code, output } = await done;
    // listr2's own SIGINT handler would exit 127 here, before the state is saved.
    expect(code).toBe(130);
    expect(cursorShown(output)).toBe(true);
    const screen = replayScreen(output);
    expect(screen.slice(0, 3).map((line) => line.replace(/^\S+ /, '').split(' · ').slice(0, 2).join(' · '))).toEqual([
      'gather: succeeded · anthropic/claude-test',
      'draft: interrupted · openai/gpt-test',
      'polish: not run',
    ]);
    expect(screen).toContain('agentpipe: SIGINT: stopping, saving state (press Ctrl-C again to quit at once)');
    expect(screen.at(-1)).toBe(`resume with: agentpipe run --resume ${runId}`);
    // The line is ended: the shell prompt that follows starts on a line of its own.
    expect(output).toContain(`resume with: agentpipe run --resume ${runId}\r\n`);
    expect(JSON.parse(await readFile(runFile(runId, 'run.json'), 'utf8')).status).toBe('interrupted');
  });

  it('on a second signal during shutdown, exits at once yet gives the terminal back (cursor, buffered lines)', async () => {
    await project.clearRuns();
    const { child, done, cliPid } = underTerminal('run templates/three.yaml');
    const runId = await waitForStep('gather');
    const pid = await cliPid();
    // Both signals wait while the CLI is stopped, then arrive together: the second one is handled
    // before any of the shutdown the first one starts can finish.
    process.kill(pid, 'SIGSTOP');
    process.kill(pid, 'SIGINT');
    process.kill(pid, 'SIGTERM');
    process.kill(pid, 'SIGCONT');
    // util-linux `script` stops itself when its child stops; wake it until the CLI is gone.
    const wake = setInterval(() => child.kill('SIGCONT'), 50);
    const { code, output } = await done.finally(() => clearInterval(wake));
    expect(code).toBe(130);
    expect(cursorShown(output)).toBe(true);
    const screen = replayScreen(output);
    expect(screen).toContainEqual(expect.stringMatching(/^agentpipe: SIG(INT|TERM): stopping, saving state/));
    // It did not wait for the summary.
    expect(screen.join('\n')).not.toContain('resume with:');
    expect(await readFile(runFile(runId, 'lock'), 'utf8').catch(() => 'no lock')).toBe('no lock');
    expect(JSON.parse(await readFile(runFile(runId, 'run.json'), 'utf8')).steps.gather.status).toBe('succeeded');
  });

  it('a run refused by a held lock prints its one-line error on a clean terminal', async () => {
    const { runId } = await freshRun([]);
    // This test process is alive on this host: its lock is a live one.
    const owner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), token: 'held-by-the-test' };
    await writeFile(runFile(runId, 'lock'), JSON.stringify(owner));
    const { code, output } = await underTerminal(`run --resume ${runId}`).done;
    await rm(runFile(runId, 'lock'));
    expect(code).toBe(2);
    expect(output).not.toContain('\x1b[?25l');
    expect(replayScreen(output)).toEqual([`agentpipe: run ${runId} is already running in process ${process.pid} (since ${owner.startedAt}); wait for it to finish or stop it, then resume`]);
  });

  it('without a terminal, writes one plain line per event to stderr, then the summary', async () => {
    const { result, events, runId } = await freshRun([]);
    expect(result.code).toBe(0);
    const expected = events.filter((event) => event.type !== 'run-end').flatMap((event) => describeEvent(event) ?? []);
    expect(expected.filter((line) => line.includes('started: agent worker'))).toHaveLength(3);
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines.slice(0, expected.length)).toEqual(expected);
    // The rest is the summary: a row per step and the closing line.
    expect(lines.slice(expected.length)).toHaveLength(4);
    expect(lines.at(-1)).toMatch(new RegExp(`^done: .* \\(run ${runId}\\)$`));
    expect(result.stderr).not.toContain('\x1b[');
    expect(result.stdout).toBe('OUTPUT-polish\n');
  });

  it('with --json, writes one NDJSON line per event (as in events.jsonl), then the run result', async () => {
    const { result, events, runId, state } = await freshRun(['--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines.pop()).toBe('');
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.slice(0, -1)).toEqual(events);
    expect(events.filter((event) => event.type === 'step-end')).toHaveLength(3);
    expect(events.some((event) => event.type === 'text-delta')).toBe(true);
    expect(parsed.at(-1)).toMatchObject({ type: 'run-result', runId, status: 'succeeded', costUsd: state.costUsd, outputs: { final: 'OUTPUT-polish' } });
  });
});
