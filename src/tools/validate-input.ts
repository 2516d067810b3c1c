// Checks a tool call's arguments against the tool's JSON Schema before anything runs.
// ajv is heavy, so it is imported on the first tool call, and each schema is compiled once.

import type { ValidateFunction } from 'ajv/dist/2020.js';

type AjvInstance = InstanceType<typeof import('ajv/dist/2020.js').Ajv2020>;

let ajvInstance: Promise<AjvInstance> | undefined;
const validators = new WeakMap<object, ValidateFunction>();

function loadAjv(): Promise<AjvInstance> {
  ajvInstance ??= import('ajv/dist/2020.js').then(({ Ajv2020 }) => new Ajv2020({ allErrors: true, strict: false, validateFormats: false }));
  return ajvInstance;
}

/** The schema errors as one line, or undefined when the input is valid. */
export async function validateToolInput(schema: Record<string, unknown>, input: unknown): Promise<string | undefined> {
  let validate = validators.get(schema);
  if (!validate) {
    validate = (await loadAjv()).compile(schema);
    validators.set(schema, validate);
  }
  if (validate(input)) return undefined;
  return (validate.errors ?? []).map((error) => `${error.instancePath || '(arguments)'} ${error.message ?? 'is invalid'}`).join('; ');
}
