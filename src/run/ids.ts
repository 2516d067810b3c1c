// Run ids sort by creation time as plain strings (`ls` and `runs` list oldest first) and never collide
// between two runs started in the same millisecond: UTC time to the millisecond, then 6 random hex digits.

import { randomBytes } from 'node:crypto';

export function newRunId(now: Date = new Date()): string {
  const iso = now.toISOString(); // 2026-11-22T02:28:20.123Z
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${iso.slice(20, 23)}`;
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Run ids are used as folder names: only what newRunId produces (and nothing with `/` or `..`) is accepted. */
export function isRunId(value: string): boolean {
  return /^[0-9]{8}-[0-9]{6}-[0-9]{3}-[0-9a-f]{6}$/.test(value);
}
