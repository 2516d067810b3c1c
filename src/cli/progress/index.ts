// Progress display for `agentpipe run`, driven only by run events:
// --json: every event as NDJSON on stdout; a TTY running a template: listr2, one line per step;
// otherwise one plain line per event on stderr. A single agent streams its text to stdout as it comes.

import type { RunEvent } from '../../run/events.js';
import { describeEvent } from './format.js';

export type ProgressMode = 'json' | 'tty' | 'plain';

export interface Progress {
  onEvent(event: RunEvent): void;
  /** Stops the display (listr2 restores the terminal) before the final output is printed. */
  stop(): Promise<void>;
  /** True when the answer text already went to stdout while streaming. */
  readonly streamedText: boolean;
}

export function chooseMode(json: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressMode {
  if (json) return 'json';
  return stream.isTTY && !process.env['CI'] ? 'tty' : 'plain';
}

export async function createProgress(mode: ProgressMode, kind: 'agent' | 'template', stepIds: string[]): Promise<Progress> {
  if (mode === 'json') return jsonProgress();
  if (mode === 'tty' && kind === 'template') {
    const { createListrProgress } = await import('./tty.js');
    return createListrProgress(stepIds);
  }
  return plainProgress(kind === 'agent');
}

function jsonProgress(): Progress {
  return {
    onEvent: (event) => void process.stdout.write(`${JSON.stringify(event)}\n`),
    stop: async () => undefined,
    streamedText: false,
  };
}

function plainProgress(streamText: boolean): Progress {
  let streamed = false;
  let midLine = false;
  return {
    onEvent(event) {
      if (event.type === 'text-delta') {
        if (!streamText) return;
        process.stdout.write(event.delta);
        streamed = true;
        midLine = !event.delta.endsWith('\n');
        return;
      }
      // The summary table says how the run ended.
      const line = event.type === 'run-end' ? undefined : describeEvent(event);
      if (line) process.stderr.write(`${line}\n`);
    },
    async stop() {
      if (midLine) process.stdout.write('\n');
    },
    get streamedText() {
      return streamed;
    },
  };
}
