// Progress display for `agentpipe run`, driven only by run events:
// --json: every event as NDJSON on stdout; a TTY running a template: listr2, one line per step;
// otherwise one plain line per event on stderr.
// stdout holds the final answer once. The one exception is a single agent whose stdout is a
// terminal and that has no output schema: its text streams to stdout as it comes, and what
// streamed is the answer (it is not printed again). Redirected, or with an output schema (the
// answer is final only once validated), nothing streams and the answer is printed at the end.

import type { RunEvent } from '../../run/events.js';
import { describeEvent } from './format.js';
import { guardOutput } from './streams.js';

export type ProgressMode = 'json' | 'tty' | 'plain';

export interface Progress {
  onEvent(event: RunEvent): void;
  /** Stops the display (listr2 restores the terminal) before the final output is printed. */
  stop(): Promise<void>;
  /** True when the answer text already went to stdout while streaming. */
  readonly streamedText: boolean;
}

export interface ProgressOptions {
  kind: 'agent' | 'template';
  stepIds: string[];
  /** Stream text deltas to stdout (see the header for when). */
  streamText: boolean;
  /** `run --sim`: every line says so. */
  simulated?: boolean;
}

/** What each progress line of a `run --sim` starts with. */
export const simulatedMarker = '[simulated] ';

export function chooseMode(json: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressMode {
  if (json) return 'json';
  return stream.isTTY && !process.env['CI'] ? 'tty' : 'plain';
}

/** See the header: a single agent without an output schema, with stdout on a terminal. */
export function shouldStreamText(kind: 'agent' | 'template', hasOutputSchema: boolean, stdout: NodeJS.WriteStream = process.stdout): boolean {
  return kind === 'agent' && !hasOutputSchema && stdout.isTTY === true;
}

export async function createProgress(mode: ProgressMode, options: ProgressOptions): Promise<Progress> {
  const simulated = options.simulated === true;
  if (mode === 'json') return jsonProgress(simulated);
  if (mode === 'tty' && options.kind === 'template') {
    const { createListrProgress } = await import('./tty.js');
    return createListrProgress(options.stepIds, simulated ? ' (simulated, $0)' : '');
  }
  return plainProgress(options.streamText, simulated ? simulatedMarker : '');
}

function jsonProgress(simulated: boolean): Progress {
  const output = guardOutput();
  return {
    onEvent: (event) => output.out(`${JSON.stringify(simulated ? { ...event, simulated: true } : event)}\n`),
    stop: async () => undefined,
    streamedText: false,
  };
}

function plainProgress(streamText: boolean, prefix: string): Progress {
  const output = guardOutput();
  let streamed = false;
  // Streamed text not yet ended by a newline: the next line (on stderr, often the same terminal)
  // must not start on its end.
  let midLine = false;
  const endLine = () => {
    if (midLine) output.out('\n');
    midLine = false;
  };
  return {
    onEvent(event) {
      if (event.type === 'text-delta') {
        if (!streamText || event.delta === '') return;
        output.out(event.delta);
        streamed = true;
        midLine = !event.delta.endsWith('\n');
        return;
      }
      // The summary table says how the run ended.
      const line = event.type === 'run-end' ? undefined : describeEvent(event);
      if (!line) return;
      endLine();
      output.err(`${prefix}${line}\n`);
    },
    async stop() {
      endLine();
    },
    get streamedText() {
      return streamed;
    },
  };
}
