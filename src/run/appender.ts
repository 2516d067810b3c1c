// Appends lines to one file, one append at a time, in order; whatever is appended while a write is
// in flight goes out together in the next one. Many rows of a batch writing to one ledger then cost
// a few appends, not one each (and never interleave within a line). Each append's promise resolves
// once its text is written.

import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export class CoalescingAppender {
  private buffer = '';
  private writes: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private directory: Promise<unknown> | undefined;

  constructor(readonly file: string) {}

  append(text: string): Promise<void> {
    this.buffer += text;
    if (this.queued) return this.queued;
    const next = this.writes.then(async () => {
      this.queued = undefined;
      const chunk = this.buffer;
      this.buffer = '';
      this.directory ??= mkdir(dirname(this.file), { recursive: true });
      await this.directory;
      await appendFile(this.file, chunk, 'utf8');
    });
    this.queued = next;
    // A failed write fails its own appends; later ones try again.
    this.writes = next.catch(() => undefined);
    return next;
  }

  /** Resolves when everything appended so far is written (or has failed). */
  flush(): Promise<void> {
    return this.writes;
  }
}

const shared = new Map<string, CoalescingAppender>();

/** The process's one appender for `file`, so every writer of a shared file coalesces with the others. */
export function appenderFor(file: string): CoalescingAppender {
  let appender = shared.get(file);
  if (!appender) {
    appender = new CoalescingAppender(file);
    shared.set(file, appender);
  }
  return appender;
}
