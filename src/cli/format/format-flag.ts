// The one wording of a bad --format, for every verb that takes one.
import { UsageError } from '../../errors.js';

export function checkFormat<Format extends string>(value: string, formats: readonly Format[]): Format {
  if ((formats as readonly string[]).includes(value)) return value as Format;
  throw new UsageError(`unknown --format \`${value}\`; use one of ${formats.join(', ')}`);
}
