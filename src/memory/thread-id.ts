// What a conversation thread id may be, and which runs may have one: checked by `run --thread`, by
// `run --queue --thread` before it enqueues (and by the worker), and by serve's POST /v1/runs. A
// module of its own so those callers do not load the store to check a string.

import type { CompiledPipeline } from '../compile/ir.js';
import { UsageError } from '../errors.js';

export const threadIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export function checkThreadFlag(pipeline: CompiledPipeline, thread: string | undefined, name = '--thread'): void {
  if (thread === undefined) return;
  if (!threadIdPattern.test(thread)) throw new UsageError(`${name} "${thread}" is not a thread id: use letters, digits, '_', '.', ':' or '-' (at most 128)`);
  if (pipeline.kind !== 'agent') throw new UsageError(`${name} continues a conversation with one agent; it cannot be used with a template`);
}
