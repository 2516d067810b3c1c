// Typed face of the generated ajv standalone validators (src/validate/generated/, from scripts/gen.mjs).

import type { FileKind } from '../load/types.js';
import * as generated from './generated/validators.js';

/** The subset of ajv's ErrorObject we read. */
export interface SchemaError {
  keyword: string;
  /** JSON pointer into the value, e.g. `/steps/2/needs`. */
  instancePath: string;
  /** Where in the schemas, e.g. `#/properties/params/additionalProperties` or `common.schema.json#/$defs/...`. */
  schemaPath: string;
  params: Record<string, unknown>;
  message?: string;
  propertyName?: string;
}

export type SchemaValidator = ((value: unknown) => boolean) & { errors?: SchemaError[] | null };

const validators = generated as unknown as Record<FileKind, SchemaValidator>;

/** Schema errors for one value ([] when it is valid). */
export function schemaErrors(kind: FileKind, value: unknown): SchemaError[] {
  const validate = validators[kind];
  return validate(value) ? [] : [...(validate.errors ?? [])];
}
