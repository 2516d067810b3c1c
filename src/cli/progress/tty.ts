// listr2 display for a template run in a terminal: one line per step with its live status, the model
// currently answering, tokens and cost. Fed by run events; it never drives the run.

import type { RunEvent } from '../../run/events.js';
import type { Progress } from './index.js';
import { describeEvent, formatCost, totalTokens } from './format.js';

interface StepLine {
  title: string;
  model: string;
  tokens: number;
  costUsd: number;
  setTitle?: (title: string) => void;
  settle?: (error?: Error) => void;
}

export async function createListrProgress(stepIds: string[]): Promise<Progress> {
  const { Listr } = await import('listr2');
  const lines = new Map<string, StepLine>(stepIds.map((id) => [id, { title: 'waiting', model: '', tokens: 0, costUsd: 0 }]));
  const render = (id: string, line: StepLine) => {
    const model = line.model ? ` · ${line.model}` : '';
    const usage = line.tokens > 0 ? ` · ${line.tokens} tok · ${formatCost(line.costUsd)}` : '';
    line.setTitle?.(`${id}: ${line.title}${model}${usage}`);
  };
  const list = new Listr(
    stepIds.map((id) => ({
      title: `${id}: waiting`,
      task: (_context: unknown, task: { title: string }) =>
        new Promise<void>((resolve, reject) => {
          const line = lines.get(id)!;
          line.setTitle = (title) => void (task.title = title);
          line.settle = (error) => (error ? reject(error) : resolve());
          render(id, line);
        }),
    })),
    { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false } },
  );
  const done = list.run().catch(() => undefined);

  const settleAll = () => {
    for (const line of lines.values()) line.settle?.();
  };
  return {
    onEvent(event: RunEvent) {
      if (event.type === 'run-end') return settleAll();
      const id = event.stepId?.replace(/\[\d+\]$/, '');
      const line = id === undefined ? undefined : lines.get(id);
      if (!line || !id) {
        if (event.type === 'warning' || event.type === 'budget-warning') process.stderr.write(`${describeEvent(event)}\n`);
        return;
      }
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
          line.title = event.status;
          if (event.status === 'cached') line.costUsd = event.costUsd;
          render(id, line);
          return line.settle?.(event.status === 'failed' ? new Error(`${id}: ${event.error ?? 'failed'}`) : undefined);
        default:
          return;
      }
      render(id, line);
    },
    async stop() {
      settleAll();
      await done;
    },
    streamedText: false,
  };
}
