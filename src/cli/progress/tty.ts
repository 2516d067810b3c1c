// listr2 display for a template run in a terminal: one line per step with its live status, the model
// currently answering, tokens and cost. Fed by run events; it never drives the run.
//
// listr2 defaults that do not fit a CLI whose stdout is the run's output, set here:
// - it renders on stderr (the stream chooseMode found to be a terminal), so `run ... > out.txt`
//   gets the answer alone, and the full display is kept even when stdout is not a terminal;
// - it installs no SIGINT handler: its own would exit 127 mid-run; the CLI's handler saves the
//   state and exits 130;
// - it starts on the first run event, so a run refused before it starts (a held lock) prints
//   its one-line error on a clean terminal;
// - while it renders, it buffers other writes to stdout/stderr; a process.exit during that time
//   (a second Ctrl-C, a fatal error) first ends the display, so the cursor comes back and the
//   buffered lines are printed.

import type { RunEvent } from '../../run/events.js';
import type { Progress } from './index.js';
import { describeEvent, formatCost, totalTokens } from './format.js';
import { guardOutput } from './streams.js';

type Outcome = { kind: 'done' } | { kind: 'failed'; error: Error } | { kind: 'skipped' };

interface StepLine {
  title: string;
  model: string;
  tokens: number;
  costUsd: number;
  settled: boolean;
  setTitle?: (title: string) => void;
  settle?: (outcome: Outcome) => void;
}

export async function createListrProgress(stepIds: string[], marker = ''): Promise<Progress> {
  const { DefaultRenderer, Listr, ListrLogger, ProcessOutput } = await import('listr2');
  let rendering: { end(): void } | undefined;
  class StderrRenderer extends DefaultRenderer {
    // Checked by listr2 against process.stdout; the terminal that matters here is stderr.
    static override nonTTY = true;
    override async render(): Promise<void> {
      await super.render();
      rendering = this;
    }
    override end(): void {
      if (rendering === this) rendering = undefined;
      super.end();
    }
  }
  const endOnExit = () => rendering?.end();
  process.once('exit', endOnExit);

  const lines = new Map<string, StepLine>(stepIds.map((id) => [id, { title: 'waiting', model: '', tokens: 0, costUsd: 0, settled: false }]));
  const render = (id: string, line: StepLine) => {
    const model = line.model ? ` · ${line.model}${marker}` : '';
    const usage = line.tokens > 0 || line.costUsd > 0 ? ` · ${line.tokens} tok · ${formatCost(line.costUsd)}` : '';
    line.setTitle?.(`${id}: ${line.title}${model}${usage}`);
  };
  const settle = (line: StepLine, outcome: Outcome) => {
    line.settled = true;
    line.settle?.(outcome);
  };
  // The "stdout" of listr2's ProcessOutput is the stream it draws on.
  const processOutput = new ProcessOutput(process.stderr, process.stdout);
  const list = new Listr(
    stepIds.map((id) => ({
      title: `${id}: waiting`,
      task: (_context: unknown, task: { title: string; skip(message?: string): void }) =>
        new Promise<void>((resolve, reject) => {
          const line = lines.get(id)!;
          line.setTitle = (title) => void (task.title = title);
          line.settle = (outcome) => {
            if (outcome.kind === 'failed') return reject(outcome.error);
            if (outcome.kind === 'skipped') task.skip(task.title);
            resolve();
          };
          render(id, line);
        }),
    })),
    {
      concurrent: true,
      exitOnError: false,
      registerSignalListeners: false,
      renderer: StderrRenderer,
      rendererOptions: { collapseErrors: false, logger: new ListrLogger({ useIcons: true, processOutput }) },
    },
  );
  let done: Promise<unknown> | undefined;
  const start = () => (done ??= list.run().catch(() => undefined));

  /** At the end of a run, steps that never finished say so instead of staying "running". */
  const settleRest = (status: string) => {
    for (const [id, line] of lines) {
      if (line.settled) continue;
      line.title = line.title === 'waiting' ? 'not run' : status === 'succeeded' ? line.title : status === 'budget-exceeded' ? 'budget' : status;
      render(id, line);
      settle(line, status === 'succeeded' ? { kind: 'done' } : { kind: 'skipped' });
    }
  };
  return {
    onEvent(event: RunEvent) {
      start();
      if (event.type === 'run-end') return settleRest(event.status);
      const id = event.stepId?.replace(/\[\d+\]$/, '');
      const line = id === undefined ? undefined : lines.get(id);
      // A budget warning matters whichever step spent the money (listr2 prints it when it ends).
      if (event.type === 'budget-warning' || (!line && event.type === 'warning')) guardOutput().err(`${describeEvent(event)}\n`);
      if (!line || !id) return;
      switch (event.type) {
        case 'step-start':
          line.title = 'running';
          line.model = event.model;
          break;
        case 'model-call':
          line.model = event.model;
          break;
        case 'model-fallback':
          line.model = event.to;
          break;
        case 'usage':
          line.tokens += totalTokens(event.usage);
          line.costUsd += event.costUsd;
          break;
        case 'tool-call':
          line.title = `running (tool ${event.tool})`;
          break;
        case 'step-end':
          if (event.stepId !== id) break;
          line.title = event.status === 'skipped' && event.reason ? `skipped (${event.reason})` : event.status;
          if (event.status === 'cached') {
            line.costUsd = event.costUsd;
            line.tokens = totalTokens(event.usage);
          }
          render(id, line);
          return settle(line, event.status === 'failed' ? { kind: 'failed', error: new Error(`${id}: ${event.error ?? 'failed'}`) } : event.status === 'skipped' ? { kind: 'skipped' } : { kind: 'done' });
        default:
          return;
      }
      render(id, line);
    },
    async stop() {
      if (done) {
        settleRest('stopped');
        await done;
      }
      process.off('exit', endOnExit);
    },
    streamedText: false,
  };
}
