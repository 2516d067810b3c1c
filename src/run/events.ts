// Every observable thing a run does is one of these events, named noun-then-action.
// They go to events.jsonl, to `--json` as NDJSON, and to the progress display.
// Events never carry secrets: anything that could hold one goes through redact() first.

import type { Usage } from '../providers/types.js';

interface Base {
  /** ISO time the event was emitted. */
  time: string;
  runId: string;
  /** Step id (and `[index]` for a for_each item), absent for run-level events. */
  stepId?: string;
}

export type RunEvent = Base &
  (
    | { type: 'run-start'; target: string; kind: 'agent' | 'template'; resumed: boolean; /** `run --sim` */ simulated?: boolean }
    | { type: 'run-end'; status: 'succeeded' | 'failed' | 'budget-exceeded' | 'interrupted'; costUsd: number; durationMs: number }
    | { type: 'step-start'; agent: string; model: string }
    | { type: 'step-end'; status: 'succeeded' | 'failed' | 'skipped' | 'cached'; costUsd: number; usage: Usage; durationMs: number; error?: string; /** Why a step was skipped when it was not its `when`. */ reason?: string }
    | { type: 'text-delta'; delta: string }
    | { type: 'tool-call'; tool: string; toolCallId: string; input: unknown }
    | { type: 'tool-result'; tool: string; toolCallId: string; decision: 'allowed' | 'denied'; outputBytes: number; isError: boolean }
    | { type: 'model-call'; model: string; attempt: number }
    | { type: 'model-retry'; model: string; attempt: number; errorClass: string; status?: number; delayMs: number }
    | { type: 'model-fallback'; from: string; to: string; errorClass: string; status?: number }
    | { type: 'model-skipped'; model: string; reason: string }
    /** `provider`: the limit that held the call, a provider name or a provider/model with a limit of its own. */
    | { type: 'rate-limit-wait'; provider: string; waitMs: number; reason: 'rpm' | 'tpm' }
    | { type: 'usage'; model: string; usage: Usage; costUsd: number; finishReason?: string; responseModel?: string }
    | { type: 'budget-warning'; scope: string; spentUsd: number; limitUsd: number }
    | { type: 'search-start'; provider: string; query: string }
    | { type: 'search-end'; provider: string; query: string; results: number; latencyMs: number; cached: boolean }
    | { type: 'search-failed'; provider: string; query: string; error: string }
    | { type: 'knowledge-retrieved'; index: string; query: string; chunks: number; sources: string[] }
    | { type: 'thread-summarized'; thread: string; turns: number; model: string }
    | { type: 'warning'; message: string }
  );

export type RunEventType = RunEvent['type'];

/** Omit distributes over a union, unlike the built-in. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What emitters pass in; the sink stamps time and runId. */
export type RunEventInput = DistributiveOmit<RunEvent, 'time' | 'runId'>;

export type EventSink = (event: RunEventInput) => void;
