// Catalogue `examples` (named sample inputs) of agents and templates: each must name only declared
// inputs, give every required input without a default, and hold values of the declared type, so a
// sample started from the dashboard or `POST /v1/runs` never fails on its inputs.

import { report, type ValidationContext } from './context.js';
import { didYouMean } from './suggest.js';
import type { Checked } from './types.js';

interface DeclaredInput {
  type?: string;
  required?: boolean;
  default?: unknown;
  enum?: unknown[];
}

interface WithExamples {
  inputs?: Record<string, DeclaredInput | undefined>;
  examples?: Record<string, Record<string, unknown> | undefined>;
}

export function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    default:
      return typeof value === 'string';
  }
}

export function checkExamples(context: ValidationContext, checked: Checked<WithExamples>): void {
  const { value, source } = checked;
  const declared = value.inputs ?? {};
  const names = Object.keys(declared);
  for (const [example, sample] of Object.entries(value.examples ?? {})) {
    if (!sample) continue;
    for (const [name, given] of Object.entries(sample)) {
      const input = declared[name];
      if (!input) {
        report(context, source, ['examples', example, name], 'examples/unknown-input', `example \`${example}\` gives \`${name}\`, which is not a declared input${didYouMean(name, names)}`, { key: true, fix: `declare it under inputs: or remove it from the example` });
        continue;
      }
      const type = input.type ?? 'string';
      if (!typeMatches(type, given)) {
        report(context, source, ['examples', example, name], 'examples/type', `example \`${example}\`: \`${name}\` must be ${type === 'integer' || type === 'array' || type === 'object' ? 'an' : 'a'} ${type}`, { fix: `give a ${type} value` });
      } else if (input.enum && !input.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(given))) {
        report(context, source, ['examples', example, name], 'examples/enum', `example \`${example}\`: \`${name}\` must be one of ${input.enum.map((allowed) => JSON.stringify(allowed)).join(', ')}`, { fix: 'use one of the allowed values' });
      }
    }
    const missing = names.filter((name) => sample[name] === undefined && declared[name]?.default === undefined && declared[name]?.required !== false);
    if (missing.length > 0) {
      report(context, source, ['examples', example], 'examples/missing-input', `example \`${example}\` lacks required input${missing.length > 1 ? 's' : ''} ${missing.map((name) => `\`${name}\``).join(', ')}`, { key: true, fix: `add ${missing[0]}: ... to the example` });
    }
  }
}
