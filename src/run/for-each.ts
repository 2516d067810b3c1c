// A for_each step's array: the value at its dotted path (`steps.outline.output.sections`,
// `inputs.files`) in the template context. Anything else fails the step with an error that names
// where the for_each is written, the path, and what is there instead.

import type { CompiledStep } from '../compile/ir.js';
import { RunFailedError } from '../errors.js';
import type { TemplateContext } from './pipeline.js';

/** The for_each array, or an error naming where the for_each is written, the path and what is there instead. */
export function forEachList(step: CompiledStep, context: TemplateContext): unknown[] {
  const path = step.forEach!;
  const keys = path.split('.');
  let value: unknown = context;
  let found: string | undefined;
  for (const [index, key] of keys.entries()) {
    const parent = keys.slice(0, index).join('.');
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      found = `${parent} is ${describeValue(value)}, which has no field "${key}"`;
      break;
    }
    if (!(key in value)) {
      const fields = Object.keys(value);
      found = `${parent} has no field "${key}"${fields.length > 0 ? ` (it has ${fields.slice(0, 10).join(', ')}${fields.length > 10 ? ', ...' : ''})` : ''}`;
      break;
    }
    value = (value as Record<string, unknown>)[key];
  }
  if (found === undefined && Array.isArray(value)) return value;
  const source = step.forEachSource ?? step.source;
  const where = `${source.file}:${source.line}${source.col === undefined ? '' : `:${source.col}`}`;
  throw new RunFailedError(`${where}: step '${step.id}': for_each "${path}" is not an array: ${found ?? `found ${describeValue(value)}`}`);
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)})`;
  if (typeof value === 'object') return `an object with fields ${Object.keys(value).slice(0, 10).join(', ') || '(none)'}`;
  return `a ${typeof value} (${String(value)})`;
}
