// Run state on disk: `.agentpipe/runs/<run-id>/` holds run.json (this state, replaced atomically after
// every step and for_each item), events.jsonl, audit.jsonl and steps/<id>.json (step outputs; a batch
// keeps small ones in run.json instead).
// run.json is what resume reads: a finished step or item is never called again. `lock` (src/run/lock.ts)
// exists while a process runs the run.

import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { emptyUsage, type Usage } from '../providers/types.js';
import { RunFailedError, UsageError } from '../errors.js';
import { isSecretEnvName, redactValue } from '../tools/redact.js';
import { isRunId } from './ids.js';
import { runStateProblem } from './state-schema.js';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'budget-exceeded' | 'interrupted';
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface ItemState {
  status: 'succeeded' | 'failed';
  costUsd: number;
  usage: Usage;
  durationMs: number;
  error?: string;
  /** The item's output, when the run keeps small outputs in run.json (see StateWriter); else in steps/. */
  output?: unknown;
}

export interface StepState {
  status: StepStatus;
  agent: string;
  /** Last model that answered (provider/model). */
  model?: string;
  /** Every call of the step, over every attempt (a resumed or stopped step keeps what it spent). */
  costUsd: number;
  usage: Usage;
  durationMs: number;
  error?: string;
  /** A `pending` step that was started, then stopped with the run: it runs again on resume. */
  stopped?: 'budget' | 'interrupted';
  /** A `skipped` step that did not run because this step it needs failed; it runs on resume. */
  blockedBy?: string;
  /** for_each: number of items and the state of each finished one, by index. */
  itemCount?: number;
  items?: Record<string, ItemState>;
  /** The step's output, when the run keeps small outputs in run.json (see StateWriter); else in steps/. */
  output?: unknown;
}

export interface RunState {
  version: 1;
  runId: string;
  /** The agent or template file as given, relative to the project root. */
  target: string;
  kind: 'agent' | 'template';
  name: string;
  status: RunStatus;
  createdAt: string;
  updatedAt: string;
  inputs: Record<string, unknown>;
  modelOverride?: string;
  /** `run --thread <id>`: the conversation thread the run continues (a resume continues it too). */
  thread?: string;
  steps: Record<string, StepState>;
  costUsd: number;
  /** The cost ledger (src/cost/ledger.ts), serialised. */
  ledger: unknown;
  /** `run --sim`: no real model was called. */
  simulated?: true;
  outputs?: Record<string, unknown>;
  error?: string;
}

export interface RunFiles {
  dir: string;
  state: string;
  events: string;
  audit: string;
  steps: string;
  lock: string;
}

export function runsDirectory(root: string): string {
  return join(root, '.agentpipe', 'runs');
}

export function runFiles(root: string, runId: string): RunFiles {
  if (!isRunId(runId)) throw new UsageError(`'${runId}' is not a run id (see \`agentpipe runs\`)`);
  const dir = join(runsDirectory(root), runId);
  return { dir, state: join(dir, 'run.json'), events: join(dir, 'events.jsonl'), audit: join(dir, 'audit.jsonl'), steps: join(dir, 'steps'), lock: join(dir, 'lock') };
}

export const newStepState = (agent: string): StepState => ({ status: 'pending', agent, costUsd: 0, usage: emptyUsage(), durationMs: 0 });

/** File of one step's output, or of one for_each item's output. */
export function outputFile(files: RunFiles, stepId: string, itemIndex?: number): string {
  return join(files.steps, itemIndex === undefined ? `${stepId}.json` : `${stepId}.item-${itemIndex}.json`);
}

export interface StateWriterOptions {
  /**
   * Outputs whose JSON is at most this many bytes are kept in run.json (`steps.<id>.output`, or the
   * item's `output`) instead of a file of their own under steps/: they become durable with the
   * next save of the state, which the pipeline makes before it treats the step as finished.
   * 0 (the default): every output has its file.
   */
  inlineOutputBytes?: number;
}

/**
 * Serialises saves of one run's state. Each save writes a temp file and renames it over run.json, so
 * a reader (or a resume after SIGKILL) sees the previous state or the new one, never half a file.
 * Saves requested while a write is in flight coalesce into one next write, which serialises the
 * state when it starts: it holds everything every requester had done.
 */
export class StateWriter {
  private pending: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private counter = 0;
  /** Small outputs saved but not yet placed into the state, by step id and item index. */
  private readonly inline = new Map<string, { stepId: string; itemIndex?: number; output: unknown }>();

  private readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly files: RunFiles,
    env: NodeJS.ProcessEnv = process.env,
    /** Brings derived fields (ledger, total cost) up to date just before each save. */
    private readonly prepare: (state: RunState) => void = () => undefined,
    private readonly options: StateWriterOptions = {},
  ) {
    // Only secret-named variables matter to redaction; filtering once keeps each save cheap.
    this.env = Object.fromEntries(Object.entries(env).filter(([name]) => isSecretEnvName(name)));
  }

  save(state: RunState): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.pending.then(async () => {
      this.queued = undefined;
      this.prepare(state);
      this.placeInline(state);
      state.updatedAt = new Date().toISOString();
      const text = `${JSON.stringify(redactValue(state, this.env), null, 2)}\n`;
      const temp = `${this.files.state}.${process.pid}.${this.counter++}.tmp`;
      // The run folder usually exists (the lock is in it): it is made only when the write says it is missing.
      await writeFile(temp, text, 'utf8').catch(async (error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        await mkdir(this.files.dir, { recursive: true });
        await writeFile(temp, text, 'utf8');
      });
      await rename(temp, this.files.state);
    });
    this.queued = next;
    this.pending = next.catch(() => undefined);
    return next;
  }

  private stepsDirectory: Promise<unknown> | undefined;

  async saveOutput(stepId: string, output: unknown, itemIndex?: number): Promise<void> {
    const limit = this.options.inlineOutputBytes ?? 0;
    if (limit > 0) {
      const redacted = redactValue(output, this.env);
      const json = JSON.stringify(redacted);
      // JSON length in UTF-16 units is at most its UTF-8 size, and at least a third of it.
      if (json !== undefined && (json.length * 3 <= limit || Buffer.byteLength(json, 'utf8') <= limit)) {
        this.inline.set(itemIndex === undefined ? stepId : `${stepId}[${itemIndex}]`, { stepId, ...(itemIndex === undefined ? {} : { itemIndex }), output: redacted });
        return;
      }
    }
    this.stepsDirectory ??= mkdir(this.files.steps, { recursive: true });
    await this.stepsDirectory;
    const file = outputFile(this.files, stepId, itemIndex);
    await writeFile(`${file}.tmp`, `${JSON.stringify({ output: redactValue(output, this.env) }, null, 2)}\n`, 'utf8');
    await rename(`${file}.tmp`, file);
  }

  /** Puts the small outputs saved since the last save into the state (the step or item they belong to). */
  private placeInline(state: RunState): void {
    for (const [key, { stepId, itemIndex, output }] of this.inline) {
      const step = state.steps[stepId];
      const target = itemIndex === undefined ? step : step?.items?.[itemIndex];
      // An item's state is recorded just after its output: it is placed by a later save.
      if (!target) continue;
      target.output = output;
      this.inline.delete(key);
    }
  }

  flush(): Promise<void> {
    return this.pending;
  }
}

/**
 * Deletes temp files an earlier process left when it exited mid-save (a second Ctrl-C, SIGKILL).
 * Only safe while holding the run lock: otherwise they could be another writer's files in flight.
 */
export async function removeStaleTempFiles(files: RunFiles): Promise<void> {
  for (const directory of [files.dir, files.steps]) {
    const names = await readdir(directory).catch(() => [] as string[]);
    await Promise.all(names.filter((name) => name.endsWith('.tmp')).map((name) => rm(join(directory, name), { force: true })));
  }
}

export async function readOutput(files: RunFiles, stepId: string, itemIndex?: number): Promise<unknown> {
  const text = await readFile(outputFile(files, stepId, itemIndex), 'utf8');
  return (JSON.parse(text) as { output: unknown }).output;
}

export async function loadRunState(root: string, runId: string): Promise<RunState> {
  const files = runFiles(root, runId);
  let text: string;
  try {
    text = await readFile(files.state, 'utf8');
  } catch {
    throw new UsageError(`no run '${runId}' under ${runsDirectory(root)} (see \`agentpipe runs\`)`);
  }
  const state = parseRunState(text, runId);
  if ('corrupt' in state) throw new CorruptRunError(runId, state.corrupt);
  return state;
}

/** A run.json that is not valid JSON or not a valid run state: nothing of it is used, and nothing is paid for. */
export class CorruptRunError extends RunFailedError {
  constructor(readonly runId: string, readonly problem: string) {
    super(`run ${runId} is corrupt (run.json ${problem}); it cannot be resumed or shown. Start a new run; its files stay in .agentpipe/runs/${runId}/`);
  }
}

function parseRunState(text: string, runId: string): RunState | { corrupt: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { corrupt: 'is not valid JSON' };
  }
  const problem = runStateProblem(value, runId);
  return problem === undefined ? (value as RunState) : { corrupt: problem };
}

/** One run folder as `runs` lists it: its state, or why it is corrupt. */
export type RunListing = { runId: string; state: RunState } | { runId: string; corrupt: string };

/** Every run folder with a run.json, oldest first; corrupt ones are listed as such, never thrown. */
export async function listRuns(root: string): Promise<RunListing[]> {
  let names: string[];
  try {
    names = await readdir(runsDirectory(root));
  } catch {
    return [];
  }
  const listings: RunListing[] = [];
  for (const name of names.filter(isRunId).sort()) {
    let text: string;
    try {
      text = await readFile(join(runsDirectory(root), name, 'run.json'), 'utf8');
    } catch (error) {
      // A run killed before its first save has no run.json; it has nothing to list.
      if ((error as { code?: string }).code === 'ENOENT') continue;
      listings.push({ runId: name, corrupt: 'cannot be read' });
      continue;
    }
    const state = parseRunState(text, name);
    listings.push('corrupt' in state ? { runId: name, corrupt: state.corrupt } : { runId: name, state });
  }
  return listings;
}

/** Every valid run under the project, oldest first (run ids sort by time); corrupt ones are left out. */
export async function listRunStates(root: string): Promise<RunState[]> {
  return (await listRuns(root)).flatMap((listing) => ('state' in listing ? [listing.state] : []));
}
