// Live events of the runs serve holds, numbered as lines of their events.jsonl (1-based), so an
// SSE `id:` or a WebSocket `id` is a position in the log a client can resume from. A follower
// gets the log lines after the id it gives, then the lines of the attempt in flight from memory,
// then live ones, in one order with no gap: the memory copy starts exactly where the file stood
// when the attempt began (`base`), and the switch to live happens in one synchronous step.

import { appendFile, readFile } from 'node:fs/promises';
import type { RunEvent } from '../run/events.js';

interface LiveRun {
  /** Lines already in events.jsonl when this attempt began. */
  base: number;
  /** This attempt's events, serialised exactly as event-log.ts writes them. */
  lines: string[];
  listeners: Set<Follower>;
  done: boolean;
}

interface Follower {
  line(id: number, text: string): void;
  end(): void;
}

/** Reads events.jsonl as lines (a line cut short by a kill is kept, so later ids stay stable). */
export async function readEventLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * Lines in the log before a new attempt; a last line cut short by a kill is ended first, so the
 * attempt's first event starts a line of its own.
 */
export async function prepareEventLog(path: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch(() => '');
  if (text !== '' && !text.endsWith('\n')) await appendFile(path, '\n');
  return readEventLines(path).then((lines) => lines.length);
}

/** Finished runs whose whole log stays in memory, so a late subscriber does not read the file: at most this many, */
const recentFinished = 1024;
/** and at most this many characters of log lines in all (a run that streams long text has many lines). */
const recentFinishedChars = 16 * 1024 * 1024;

export class EventHub {
  private readonly runs = new Map<string, LiveRun>();
  /**
   * The complete events.jsonl lines of recently finished runs whose only attempt ran here (newest
   * last), and, once a subscriber has asked for it, the whole SSE stream of the run as one buffer.
   */
  private readonly finished = new Map<string, { lines: string[]; chars: number; sse?: Buffer }>();
  private finishedChars = 0;
  /** Followers right now, over every run (for /metrics). */
  followers = 0;

  open(runId: string, base: number): void {
    const existing = this.runs.get(runId);
    if (existing && !existing.done) return;
    this.forget(runId);
    this.runs.set(runId, { base, lines: [], listeners: existing?.listeners ?? new Set(), done: false });
  }

  isLive(runId: string): boolean {
    const run = this.runs.get(runId);
    return run !== undefined && !run.done;
  }

  push(runId: string, event: RunEvent): void {
    this.pushLines(runId, [JSON.stringify(event)]);
  }

  /** Events already serialised as events.jsonl lines (a run worker sends them so), in order. */
  pushLines(runId: string, texts: readonly string[]): void {
    const run = this.runs.get(runId);
    if (!run) return;
    for (const text of texts) {
      run.lines.push(text);
      const id = run.base + run.lines.length;
      for (const listener of run.listeners) listener.line(id, text);
    }
  }

  /** The attempt is over and its file closed: followers end, and the file is the only copy again. */
  finish(runId: string): void {
    const run = this.runs.get(runId);
    if (!run) return;
    run.done = true;
    for (const listener of run.listeners) listener.end();
    this.followers -= run.listeners.size;
    run.listeners.clear();
    this.runs.delete(runId);
    // Memory holds the whole log only when the attempt started it (a resumed run's earlier lines are in the file alone).
    if (run.base === 0) {
      const chars = run.lines.reduce((sum, line) => sum + line.length, 0);
      if (chars > recentFinishedChars / 4) return;
      this.finished.set(runId, { lines: run.lines, chars });
      this.finishedChars += chars;
      while (this.finished.size > recentFinished || this.finishedChars > recentFinishedChars) this.forget(this.finished.keys().next().value!);
    }
  }

  private forget(runId: string): void {
    const entry = this.finished.get(runId);
    if (!entry) return;
    this.finished.delete(runId);
    this.finishedChars -= entry.chars;
  }

  /**
   * Every event of a recently finished run as SSE frames (`id: N`, `data: <line>`), in one buffer
   * built on first use and shared by every later subscriber: a late subscriber costs one write and
   * no per-line formatting or encoding. Lines that `keep` refuses (a line cut short) are left out
   * but keep their number. Undefined when memory does not hold the run whole.
   */
  finishedSse(runId: string, keep: (line: string) => boolean): Buffer | undefined {
    if (this.runs.has(runId)) return undefined;
    const entry = this.finished.get(runId);
    if (!entry) return undefined;
    if (!entry.sse) {
      let text = '';
      entry.lines.forEach((line, index) => {
        if (keep(line)) text += `id: ${index + 1}\ndata: ${line}\n\n`;
      });
      entry.sse = Buffer.from(text);
      // Counted with the lines, so the memory bound holds (a character is at least a byte).
      entry.chars += entry.sse.length;
      this.finishedChars += entry.sse.length;
      while (this.finishedChars > recentFinishedChars && this.finished.size > 1) this.forget(this.finished.keys().next().value!);
    }
    return entry.sse;
  }

  /** Lines in the run's log when memory knows (live, or recently finished here); otherwise undefined: read the file. */
  knownLines(runId: string): number | undefined {
    const live = this.runs.get(runId);
    if (live) return live.base + live.lines.length;
    return this.finished.get(runId)?.lines.length;
  }

  /**
   * Sends every event after `after` to `line`, then `end` once the run has no attempt in flight.
   * Returns the function that stops following.
   */
  async follow(eventsPath: string, runId: string, after: number, follower: Follower): Promise<() => void> {
    const finished = this.runs.has(runId) ? undefined : this.finished.get(runId)?.lines;
    if (finished) {
      for (let index = Math.max(0, after); index < finished.length; index++) follower.line(index + 1, finished[index]!);
      follower.end();
      return () => undefined;
    }
    const live = this.runs.get(runId);
    // The file is read only for what memory does not hold (a new run's first attempt holds it all).
    const fromFile = live && after >= live.base ? [] : await readEventLines(eventsPath);
    const base = live ? live.base : fromFile.length;
    for (let index = Math.max(0, after); index < Math.min(base, fromFile.length); index++) follower.line(index + 1, fromFile[index]!);
    if (!live) {
      follower.end();
      return () => undefined;
    }
    // Synchronous from here: no event can be pushed between the catch-up and the subscription.
    for (let index = Math.max(0, after - live.base); index < live.lines.length; index++) follower.line(live.base + index + 1, live.lines[index]!);
    if (live.done) {
      follower.end();
      return () => undefined;
    }
    live.listeners.add(follower);
    this.followers++;
    return () => {
      if (live.listeners.delete(follower)) this.followers--;
    };
  }
}
