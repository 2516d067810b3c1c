// `agentpipe run <file>`: runs an agent or a template (or resumes a run), with live progress.
// Exit codes: 0 ok, 1 the run failed (or no model can be called), 2 config/usage, 3 over budget,
// 130 interrupted (state saved). `--dry-run` prints the plan and estimate and calls nothing.

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';
import type { PreparedRun } from '../../run/prepare.js';

export interface RunFlags {
  input?: string | string[];
  inputFile?: string;
  model?: string;
  dryRun?: boolean;
  resume?: string;
  json?: boolean;
}

const exitCodes = { succeeded: 0, failed: 1, 'budget-exceeded': 3, interrupted: 130 } as const;

export async function runCommand(file: string | undefined, flags: RunFlags): Promise<number> {
  const { prepareRun } = await import('../../run/prepare.js');
  const prepared = await prepareRun({
    ...(file ? { file } : {}),
    ...(flags.input !== undefined ? { inputFlags: flags.input } : {}),
    ...(flags.inputFile ? { inputFile: flags.inputFile } : {}),
    ...(flags.model ? { modelOverride: flags.model } : {}),
    ...(flags.resume ? { resume: String(flags.resume) } : {}),
    mode: flags.dryRun ? 'estimate' : 'run',
  });
  if (flags.dryRun) {
    await printPlan(prepared, flags.json === true);
    return 0;
  }
  const { checkChains, describeUnavailable } = await import('../../run/availability.js');
  const { providerKeyStatus } = await import('../../providers/registry.js');
  const checks = await checkChains(prepared.pipeline, prepared.env, providerKeyStatus);
  if (checks.some((check) => !check.usable)) {
    process.stderr.write(`${describeUnavailable(checks, prepared.root)}\n\n`);
    await printPlan(prepared, flags.json === true);
    return 1;
  }
  return execute(prepared, flags.json === true);
}

async function execute(prepared: PreparedRun, json: boolean): Promise<number> {
  const [{ startRun }, { createDefaultPorts }, progressModule, { formatOutputs, formatSummary }, { redactSecrets, redactValue }] = await Promise.all([
    import('../../run/run.js'),
    import('../../run/default-ports.js'),
    import('../progress/index.js'),
    import('../progress/summary.js'),
    import('../../tools/redact.js'),
  ]);
  const { pipeline, env } = prepared;
  const progress = await progressModule.createProgress(progressModule.chooseMode(json), pipeline.kind, pipeline.steps.map((step) => step.id));
  const controller = new AbortController();
  const { InterruptedError } = await import('../../errors.js');
  let signals = 0;
  const onSignal = (name: string) => {
    signals++;
    // A second Ctrl-C means "now": the last saved run.json is still a valid resume point.
    if (signals > 1) process.exit(130);
    process.stderr.write(`\nagentpipe: ${name}: stopping, saving state (press Ctrl-C again to quit at once)\n`);
    controller.abort(new InterruptedError(`interrupted by ${name}; run state saved`));
  };
  const onInterrupt = () => onSignal('SIGINT');
  const onTerminate = () => onSignal('SIGTERM');
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onTerminate);
  try {
    const result = await startRun({
      pipeline,
      target: prepared.target,
      inputs: prepared.inputs,
      ...(prepared.modelOverride ? { modelOverride: prepared.modelOverride } : {}),
      ports: createDefaultPorts(env),
      env,
      signal: controller.signal,
      onEvent: (event) => progress.onEvent(event),
      ...(prepared.resume ? { resume: prepared.resume } : {}),
    });
    await progress.stop();
    const outputs = redactValue(result.outputs, env) as Record<string, unknown>;
    if (json) {
      const { runId, status, costUsd, durationMs } = result;
      process.stdout.write(`${JSON.stringify({ type: 'run-result', runId, status, costUsd, durationMs, outputs, ...(result.error ? { error: redactSecrets(result.error.message, env) } : {}) })}\n`);
    } else {
      process.stderr.write(redactSecrets(formatSummary(result), env));
      if (result.status === 'succeeded' && !(pipeline.kind === 'agent' && progress.streamedText && typeof Object.values(outputs)[0] === 'string')) {
        process.stdout.write(formatOutputs(outputs));
      }
    }
    return exitCodes[result.status];
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onTerminate);
  }
}

async function printPlan(prepared: PreparedRun, json: boolean): Promise<void> {
  const { describePlan } = await import('../../run/plan.js');
  const { estimateText } = await import('../../run/estimate-port.js');
  const estimate = await estimateText(prepared);
  if (json) {
    const steps = prepared.pipeline.steps.map((step) => ({ id: step.id, agent: step.agent.name, needs: step.needs, models: step.agent.chain.models.map((model) => model.ref.id), ...(step.forEach ? { forEach: step.forEach } : {}) }));
    process.stdout.write(`${JSON.stringify({ type: 'plan', kind: prepared.pipeline.kind, name: prepared.pipeline.name, levels: prepared.pipeline.levels, steps, estimate: estimate.data })}\n`);
    return;
  }
  process.stdout.write(`${describePlan(prepared.pipeline, prepared.inputs)}\n${estimate.text ? `\n${estimate.text}\n` : ''}`);
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
      .action(async (file: string | undefined, flags: RunFlags) => {
        const code = await runCommand(file, flags);
        // SDK keep-alive sockets must not hold the process open once the run is over.
        setTimeout(() => process.exit(code), 1500).unref();
        return code;
      });
  },
};
