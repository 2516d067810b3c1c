// The one parser for durations (`500ms`, `30s`, `5m`, `1h`) and sizes (`512B`, `64KB`, `1MB`, or a
// plain byte count). Schemas already checked the shapes; these still throw on garbage so that a
// hand-built ProjectConfig fails loudly instead of becoming NaN.

const durationPattern = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$/;
const durationUnitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const sizePattern = /^([0-9]+)(B|KB|MB|GB)$/;
/** Binary units, as the schema documents: 1KB = 1024 bytes. */
const sizeUnitBytes: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

export class UnitParseError extends Error {}

/** 24 days: a timer (setTimeout, AbortSignal.timeout) longer than 2^31-1 ms fires at once instead. The schema allows no more. */
export const maxDurationMs = 24 * 24 * 3_600_000;
/** 1 GB: the schema's cap on sizes; buffers beyond it are not something a tool should hold. */
export const maxSizeBytes = 1024 ** 3;

/** Milliseconds in a duration string such as `30s`. */
export function parseDuration(text: string): number {
  const match = durationPattern.exec(text.trim());
  if (!match) throw new UnitParseError(`"${text}" is not a duration (write 500ms, 30s, 5m or 1h)`);
  const ms = Math.round(Number(match[1]) * (durationUnitMs[match[2] ?? 's'] ?? 1));
  if (ms > maxDurationMs) throw new UnitParseError(`"${text}" is longer than 24 days (576h), the longest duration that can be timed`);
  return ms;
}

/** Bytes in a size: an integer byte count or a string such as `1MB`. */
export function parseSize(value: number | string): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > maxSizeBytes) throw new UnitParseError(`${value} is not a byte count of at most 1GB`);
    return value;
  }
  const match = sizePattern.exec(value.trim());
  if (!match) throw new UnitParseError(`"${value}" is not a size (write 512B, 64KB or 1MB)`);
  const bytes = Number(match[1]) * (sizeUnitBytes[match[2] ?? 'B'] ?? 1);
  if (bytes > maxSizeBytes) throw new UnitParseError(`"${value}" is more than 1GB`);
  return bytes;
}

/** `undefined` passes through, so optional config fields read as `parseOptionalDuration(x) ?? default`. */
export function parseOptionalDuration(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseDuration(text);
}

export function parseOptionalSize(value: number | string | undefined): number | undefined {
  return value === undefined ? undefined : parseSize(value);
}
