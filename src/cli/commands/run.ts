// `agentpipe run <file>`: runs an agent or a template (or resumes a run), with live progress.
// Exit codes: 0 ok, 1 the run failed (or no model can be called), 2 config/usage, 3 over budget,
// 130 interrupted (state saved). `--dry-run` prints the plan and estimate and calls nothing.
// `--record <cassette>` stores every model call in a file; `--replay <cassette>` answers them from it,
// with no network and no API key (tools still run for real). `--sim` answers every call from the
// built-in simulator in this process: no key, no server, $0, and every line says it is simulated.

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';
import type { PreparedRun } from '../../run/prepare.js';
import type { CassettePlayer, CassetteRecorder } from '../../run/cassette.js';
import type { RunResult } from '../../run/run.js';
import type { MemoryWiring } from '../../memory/runtime.js';
import type { SimulatedRuntime } from '../../run/simulated.js';

export interface RunFlags {
  input?: string | string[];
  inputFile?: string;
  model?: string;
  dryRun?: boolean;
  resume?: string;
  json?: boolean;
  record?: string | number | boolean;
  replay?: string | number | boolean;
  sim?: boolean;
  thread?: string | number;
  reindex?: boolean;
  queue?: string;
  follow?: boolean;
}

const exitCodes = { succeeded: 0, failed: 1, 'budget-exceeded': 3, interrupted: 130 } as const;

export async function runCommand(file: string | undefined, flags: RunFlags): Promise<number> {
  // Before anything is written: a closed pipe must never end in a stack trace.
  const { guardOutput } = await import('../progress/streams.js');
  const output = guardOutput();
  await checkCassetteFlags(flags);
  await checkRepeatedInputs(flags.input);
  if (flags.queue !== undefined || flags.follow) return runQueued(file, flags);
  const { prepareRun } = await import('../../run/prepare.js');
  const prepared = await prepareRun({
    ...(file ? { file } : {}),
    ...(flags.input !== undefined ? { inputFlags: flags.input } : {}),
    ...(flags.inputFile ? { inputFile: flags.inputFile } : {}),
    ...(flags.model ? { modelOverride: flags.model } : {}),
    ...(flags.resume ? { resume: String(flags.resume) } : {}),
    mode: flags.dryRun ? 'estimate' : 'run',
    callsNothing: flags.dryRun === true || flags.replay !== undefined || flags.sim === true,
  });
  await checkSimulatedResume(prepared, flags);
  if (flags.dryRun) {
    await printPlan(prepared, flags.json === true);
    return 0;
  }
  // A replay or a simulated run calls no provider, so a missing key or a stopped local server must not stop it.
  if (flags.replay !== undefined || flags.sim) return execute(prepared, flags.json === true, flags);
  const { checkChains, describeUnavailable } = await import('../../run/availability.js');
  const { providerKeyStatus } = await import('../../providers/registry.js');
  const checks = await checkChains(prepared.pipeline, prepared.env, providerKeyStatus);
  if (checks.some((check) => !check.usable)) {
    const unavailable = describeUnavailable(checks, prepared.root);
    output.err(`${unavailable}\n\n`);
    await printPlan(prepared, flags.json === true);
    // --json: the NDJSON ends with what stopped the run, like any other error under --json.
    if (flags.json) output.out(`${JSON.stringify({ type: 'error', exitCode: 1, message: unavailable.replace(/^agentpipe: /, '') })}\n`);
    return 1;
  }
  return execute(prepared, flags.json === true, flags);
}

async function checkCassetteFlags(flags: RunFlags): Promise<void> {
  const record = flags.record !== undefined;
  const replay = flags.replay !== undefined;
  if (flags.sim) {
    const { UsageError } = await import('../../errors.js');
    const clash = flags.dryRun ? '--dry-run' : record ? '--record' : replay ? '--replay' : undefined;
    if (clash) throw new UsageError(`--sim cannot be used with ${clash}; --sim already calls no real model`);
  }
  if (!record && !replay) return;
  const { UsageError } = await import('../../errors.js');
  if (record && replay) throw new UsageError('--record and --replay cannot be used together');
  if (flags.dryRun) throw new UsageError(`--${record ? 'record' : 'replay'} has no effect with --dry-run, which calls no model`);
  // A resumed run makes only the calls after its last finished step: that would be a partial cassette.
  if (record && flags.resume) throw new UsageError('--record cannot be used with --resume; record a whole run instead');
  for (const value of [flags.record, flags.replay]) {
    if (value !== undefined && (typeof value === 'boolean' || String(value) === '')) throw new UsageError('--record and --replay need a cassette file path');
  }
}

/** A simulated run stays simulated and a real one real: one run never mixes simulated and real calls. */
async function checkSimulatedResume(prepared: PreparedRun, flags: RunFlags): Promise<void> {
  const resume = prepared.resume;
  if (!resume || flags.dryRun) return;
  const { UsageError } = await import('../../errors.js');
  if (resume.simulated && !flags.sim) {
    throw new UsageError(`run ${resume.runId} was simulated (--sim); resume it simulated with \`agentpipe run --resume ${resume.runId} --sim\`, or start a new run to call real models`);
  }
  if (!resume.simulated && flags.sim) {
    throw new UsageError(`run ${resume.runId} called real models; resume it without --sim (\`agentpipe run --resume ${resume.runId}\`), or start a new run with --sim`);
  }
}

/** `--input text=a --input text=b` is a mistake, not "the last one wins". */
async function checkRepeatedInputs(input: RunFlags['input']): Promise<void> {
  const seen = new Map<string, string>();
  for (const flag of input === undefined ? [] : Array.isArray(input) ? input : [input]) {
    const text = String(flag);
    const name = text.slice(0, Math.max(0, text.indexOf('=')));
    if (name === '') continue;
    const first = seen.get(name);
    if (first !== undefined) {
      const { UsageError } = await import('../../errors.js');
      throw new UsageError(`--input ${name} is given twice (${first} and ${text}); give each input once`);
    }
    seen.set(name, text);
  }
}

async function openCassette(prepared: PreparedRun, flags: RunFlags): Promise<CassetteRecorder | CassettePlayer | undefined> {
  if (flags.record === undefined && flags.replay === undefined) return undefined;
  const [{ CassettePlayer, CassetteRecorder }, { agentsThatCanReadCassette }, { guardOutput }] = await Promise.all([
    import('../../run/cassette.js'),
    import('../../run/cassette-file.js'),
    import('../progress/streams.js'),
  ]);
  const { root, target, inputs, env } = prepared;
  // cac turns a numeric-looking value into a number.
  const path = String(flags.replay ?? flags.record);
  const readers = agentsThatCanReadCassette(prepared.pipeline, path);
  if (readers.length > 0) {
    guardOutput().err(
      `agentpipe: warning: the tools of ${readers.join(', ')} may read ${path}; what they read changes between recording and replay, ` +
        `so the replay may not match. Keep cassettes outside the workspace or add them to read.deny in tools.yaml.\n`,
    );
  }
  if (flags.replay !== undefined) return CassettePlayer.open(path, { root, env });
  await (await import('../out-path.js')).checkReplaceableFile('--record', path, path, 'cassette.json');
  const recorder = new CassetteRecorder(path, { root, target, inputs, env });
  // Written once before the run, so an unwritable path fails before any call is paid for.
  await recorder.flush().catch(async (error: unknown) => {
    const { UsageError } = await import('../../errors.js');
    throw new UsageError(`cannot write cassette ${path}: ${error instanceof Error ? error.message : String(error)}`);
  });
  return recorder;
}

/** A cassette miss is found below the step; name the step it failed, for the message. */
function withFailedStep(error: Error | undefined, steps: RunResult['state']['steps']): Error | undefined {
  if (!error || error.name !== 'CassetteMissError') return error;
  for (const [id, step] of Object.entries(steps)) {
    const index = Object.entries(step.items ?? {}).find(([, item]) => item.error === error.message)?.[0];
    if (step.error === error.message || index !== undefined) {
      const named = new Error(`step '${id}${index === undefined ? '' : `[${index}]`}': ${error.message}`);
      named.name = error.name;
      return named;
    }
  }
  return error;
}

/** The run's thread: --thread, or the one a resumed run was started with (they must agree). */
async function threadOf(prepared: PreparedRun, flags: RunFlags): Promise<string | undefined> {
  const given = flags.thread === undefined ? undefined : String(flags.thread);
  const saved = prepared.resume?.thread;
  if (given !== undefined && saved !== undefined && given !== saved) {
    const { UsageError } = await import('../../errors.js');
    throw new UsageError(`run ${prepared.resume!.runId} continues thread "${saved}"; --thread "${given}" cannot change that`);
  }
  return given ?? saved;
}

/** Opens the store when the target has knowledge or memory (or --thread), then runs. */
async function execute(prepared: PreparedRun, json: boolean, flags: RunFlags): Promise<number> {
  const [{ prepareMemory }, { guardOutput }] = await Promise.all([import('../../memory/prepare.js'), import('../progress/streams.js')]);
  const { pipeline, env } = prepared;
  const output = guardOutput();
  const thread = await threadOf(prepared, flags);
  const simulated = flags.sim ? await (await import('../../run/simulated.js')).startSimulatedRuntime() : undefined;
  try {
    const memory = await prepareMemory(
      pipeline,
      env,
      { ...(thread !== undefined ? { thread } : {}), ...(flags.reindex ? { reindex: true } : {}), ...(simulated ? { simulated } : {}) },
      (line) => output.err(`${line}\n`),
    );
    try {
      return await executeWith(prepared, json, flags, memory, simulated);
    } finally {
      memory?.close();
    }
  } finally {
    await simulated?.close();
  }
}

async function executeWith(prepared: PreparedRun, json: boolean, flags: RunFlags, memory: MemoryWiring | undefined, simulated: SimulatedRuntime | undefined): Promise<number> {
  const [{ startRun }, { createDefaultPorts }, progressModule, { formatOutputs, formatSummary }, { redactSecrets, redactValue }, { guardOutput }] = await Promise.all([
    import('../../run/run.js'),
    import('../../run/default-ports.js'),
    import('../progress/index.js'),
    import('../progress/summary.js'),
    import('../../tools/redact.js'),
    import('../progress/streams.js'),
  ]);
  const { pipeline, env } = prepared;
  const output = guardOutput();
  const cassette = await openCassette(prepared, flags);
  const hasOutputSchema = pipeline.steps.some((step) => step.agent.outputSchema !== undefined);
  const progress = await progressModule.createProgress(progressModule.chooseMode(json), {
    kind: pipeline.kind,
    stepIds: pipeline.steps.map((step) => step.id),
    streamText: progressModule.shouldStreamText(pipeline.kind, hasOutputSchema),
    simulated: simulated !== undefined,
  });
  // Embedding calls of the run (retrieval, recall) go where its model calls go: into or out of the
  // cassette (with --sim, prepareMemory has already pointed them at the simulator).
  const memoryPorts = (wiring: MemoryWiring): MemoryWiring => (cassette ? { ...wiring, models: cassette.createModels(env), embeddingModels: cassette.createEmbeddingModels(env) } : wiring);
  const controller = new AbortController();
  const { InterruptedError } = await import('../../errors.js');
  let signals = 0;
  const onSignal = (name: string) => {
    signals++;
    // A second Ctrl-C means "now": the last saved run.json is still a valid resume point.
    if (signals > 1) process.exit(130);
    output.err(`\nagentpipe: ${name}: stopping, saving state (press Ctrl-C again to quit at once)\n`);
    controller.abort(new InterruptedError(`interrupted by ${name}; run state saved`));
  };
  const onInterrupt = () => onSignal('SIGINT');
  const onTerminate = () => onSignal('SIGTERM');
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onTerminate);
  // Nobody reads the output any more (`| head`): stop quietly, as Ctrl-C would, so nothing more is
  // paid for and the run can be resumed. Nothing announces it: the reader is gone.
  output.onStdoutClosed(() => controller.abort(new InterruptedError('stdout was closed (the reading end of the pipe exited); run state saved')));
  try {
    const result = await startRun({
      pipeline,
      target: prepared.target,
      inputs: prepared.inputs,
      ...(prepared.modelOverride ? { modelOverride: prepared.modelOverride } : {}),
      ...(memory?.threadId ? { thread: memory.threadId } : {}),
      ports: createDefaultPorts(env, { ...(cassette ? { cassette } : simulated ? { simulated } : {}), ...(memory ? { memory: memoryPorts(memory) } : {}) }),
      env,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'run-start') cassette?.startRun(event.runId);
        progress.onEvent(event);
      },
      ...(prepared.resume ? { resume: prepared.resume } : {}),
    });
    await progress.stop();
    if (cassette?.mode === 'record') await cassette.flush();
    const error = withFailedStep(result.error, result.state.steps);
    const cassetteInfo = cassette ? { mode: cassette.mode, path: cassette.path, ...(cassette.mode === 'record' ? { calls: cassette.recordedCalls } : {}) } : undefined;
    const outputs = redactValue(result.outputs, env) as Record<string, unknown>;
    if (json) {
      const { runId, status, costUsd, durationMs } = result;
      output.out(`${JSON.stringify({ type: 'run-result', runId, status, costUsd, durationMs, outputs, ...(simulated ? { simulated: true } : {}), ...(result.budgetReached ? { budgetExceeded: true } : {}), ...(error ? { error: redactSecrets(error.message, env) } : {}), ...(cassetteInfo ? { cassette: cassetteInfo } : {}) })}\n`);
    } else {
      output.err(redactSecrets(formatSummary(error ? { ...result, error } : result, simulated !== undefined), env));
      if (cassette?.mode === 'record') output.err(`recorded ${cassette.recordedCalls} model call(s) to ${cassette.path}\n`);
      // Streamed text was the answer (progress/index.ts): it is not printed twice.
      if (result.status === 'succeeded' && !progress.streamedText) output.out(formatOutputs(outputs));
    }
    // The answer that crossed a max_cost was kept and printed, but the budget was still overrun: exit 3.
    return result.budgetReached ? exitCodes['budget-exceeded'] : exitCodes[result.status];
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onTerminate);
  }
}

/** `run --queue <url> [--follow]`: a worker runs it; this process enqueues and may follow it. */
async function runQueued(file: string | undefined, flags: RunFlags): Promise<number> {
  const [{ UsageError }, { parseQueueAddress, describeAddress }, { prepareRun }, { openQueue }, follow, { guardOutput }, progressModule, { formatOutputs }] = await Promise.all([
    import('../../errors.js'),
    import('../../queue/connection.js'),
    import('../../run/prepare.js'),
    import('../../queue/client.js'),
    import('../../queue/follow.js'),
    import('../progress/streams.js'),
    import('../progress/index.js'),
    import('../progress/summary.js'),
  ]);
  if (flags.queue === undefined) throw new UsageError('--follow needs --queue <redis-url>');
  for (const flag of ['resume', 'dryRun', 'record', 'replay'] as const) if (flags[flag] !== undefined) throw new UsageError(`--queue cannot be used with --${flag.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`);
  const address = parseQueueAddress(typeof flags.queue === 'string' ? flags.queue : undefined);
  // Checked here so a bad input fails now, not on a worker; the workers hold the keys.
  const prepared = await prepareRun({ ...(file ? { file } : {}), ...(flags.input !== undefined ? { inputFlags: flags.input } : {}), ...(flags.inputFile ? { inputFile: flags.inputFile } : {}), ...(flags.model ? { modelOverride: flags.model } : {}), callsNothing: true });
  // A thread id is checked here too (a template cannot have one); its owner is checked by the worker.
  const thread = flags.thread === undefined ? undefined : String(flags.thread);
  (await import('../../memory/thread-id.js')).checkThreadFlag(prepared.pipeline, thread);
  const output = guardOutput();
  const client = await openQueue(address);
  try {
    const runId = await follow.enqueueRun(client, { target: prepared.target, inputs: prepared.inputs, ...(prepared.modelOverride ? { modelOverride: prepared.modelOverride } : {}), ...(thread !== undefined ? { thread } : {}) });
    const json = flags.json === true;
    if (!flags.follow) {
      output.out(json ? `${JSON.stringify({ type: 'queued', runId, queue: address.name })}\n` : `${runId}\n`);
      if (!json) output.err(`queued run ${runId} on ${describeAddress(address)}; follow it with a worker's output or \`agentpipe queue status\`\n`);
      return 0;
    }
    const controller = new AbortController();
    const onInterrupt = () => controller.abort();
    process.once('SIGINT', onInterrupt);
    const progress = await progressModule.createProgress(json ? 'json' : 'plain', { kind: prepared.pipeline.kind, stepIds: prepared.pipeline.steps.map((step) => step.id), streamText: false });
    let status: keyof typeof exitCodes = 'interrupted';
    for await (const event of follow.runEvents(client, runId, controller.signal)) {
      progress.onEvent(event);
      if (event.type === 'run-end') status = event.status;
    }
    await progress.stop();
    process.off('SIGINT', onInterrupt);
    if (controller.signal.aborted) {
      output.err(`agentpipe: stopped following; run ${runId} goes on in the queue\n`);
      return 130;
    }
    const result = await follow.runResult(client, runId, controller.signal);
    if (json) output.out(`${JSON.stringify({ type: 'run-result', runId, status, costUsd: result?.costUsd ?? 0, durationMs: result?.durationMs ?? 0, ...(result?.output !== undefined ? { output: result.output } : {}), ...(result?.error ? { error: result.error } : {}) })}\n`);
    else if (status === 'succeeded' && result) output.out(formatOutputs(typeof result.output === 'object' && result.output !== null && prepared.pipeline.kind === 'template' ? (result.output as Record<string, unknown>) : { output: result.output }));
    else if (result?.error) output.err(`agentpipe: run ${runId} ${status}: ${result.error}\n`);
    return exitCodes[status];
  } finally {
    await client.close();
  }
}

async function printPlan(prepared: PreparedRun, json: boolean): Promise<void> {
  const { describePlan } = await import('../../run/plan.js');
  const { estimateText } = await import('../../run/estimate-port.js');
  const { guardOutput } = await import('../progress/streams.js');
  const output = guardOutput();
  const estimate = await estimateText(prepared);
  if (json) {
    const steps = prepared.pipeline.steps.map((step) => ({ id: step.id, agent: step.agent.name, needs: step.needs, models: step.agent.chain.models.map((model) => model.ref.id), ...(step.forEach ? { forEach: step.forEach } : {}) }));
    output.out(`${JSON.stringify({ type: 'plan', kind: prepared.pipeline.kind, name: prepared.pipeline.name, levels: prepared.pipeline.levels, steps, estimate: estimate.data })}\n`);
    return;
  }
  output.out(`${describePlan(prepared.pipeline, prepared.inputs)}\n${estimate.text ? `\n${estimate.text}\n` : ''}`);
}

export const runCommandModule: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('run [file]', 'Run an agent or a template (or resume a run)')
      .option('--input <k=v>', 'An input value (repeatable)')
      .option('--input-file <file>', 'Inputs from a JSON or YAML file')
      .option('--model <model>', 'A route or provider/model for every step')
      .option('--dry-run', 'Print the plan and the estimate; call nothing')
      .option('--resume <run-id>', 'Continue a run after a crash or Ctrl-C')
      .option('--json', 'NDJSON events on stdout')
      .option('--record <cassette>', 'Store every model call of the run in a cassette file')
      .option('--thread <id>', 'Continue (or start) a conversation thread with the agent; without it a run is stateless')
      .option('--reindex', 'Bring stale knowledge indexes up to date before the run (otherwise a stale index stops the run)')
      .option('--queue <redis-url>', 'Enqueue the run for `agentpipe worker`s (BullMQ on Redis) and print its run id')
      .option('--follow', 'With --queue: show the run\'s events live and wait for its result')
      .option('--replay <cassette>', 'Answer model calls from a cassette: no network, no API key (tools still run)')
      .option('--sim', 'Try it without a key: the built-in simulator answers every call, at $0 (tools still run)')
      .action(async (file: string | undefined, flags: RunFlags) => {
        const code = await runCommand(file, flags);
        // SDK keep-alive sockets must not hold the process open once the run is over.
        setTimeout(() => process.exit(code), 1500).unref();
        return code;
      });
  },
};
