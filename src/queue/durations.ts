// Duration flags of the queue verbs: `30s`, `500ms`, `2m`, or a bare number of seconds.

import { UsageError } from '../errors.js';

export function parseDurationFlag(value: string | number | undefined, flag: string, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(value).trim());
  if (!match) throw new UsageError(`${flag} takes a duration such as 30s, 500ms or 2m, got '${value}'`);
  const amount = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(amount * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000));
}
