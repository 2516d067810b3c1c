// A step's output: the final text, or the JSON it holds. With an output schema the JSON is validated
// (ajv, imported lazily: most runs never load it).

import type { ErrorObject, ValidateFunction } from 'ajv';

/** Removes one surrounding ```json (or bare ```) fence; models add them even when told not to. */
export function stripFences(text: string): string {
  const trimmed = text.trim();
  const match = /^```[A-Za-z0-9_-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```$/.exec(trimmed);
  return match?.[1] !== undefined ? match[1].trim() : trimmed;
}

/** Parses JSON objects and arrays; anything else is kept as the text it is. */
export function parseOutput(text: string): unknown {
  const candidate = stripFences(text);
  if (!/^[[{]/.test(candidate)) return text;
  try {
    return JSON.parse(candidate) as unknown;
  } catch {
    return text;
  }
}

export type SchemaCheck = { ok: true; value: unknown } | { ok: false; problems: string };

const validators = new WeakMap<object, ValidateFunction>();

async function validatorFor(schema: Record<string, unknown>): Promise<ValidateFunction> {
  const cached = validators.get(schema);
  if (cached) return cached;
  const [module, formats] = await Promise.all([import('ajv/dist/2020.js'), import('ajv-formats')]);
  const Ajv2020 = module.Ajv2020;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // Output schemas use `format: uri`, `date`...: checked, not logged to stderr as unknown.
  (formats.default as unknown as (instance: typeof ajv) => void)(ajv);
  const validate = ajv.compile(schema);
  validators.set(schema, validate);
  return validate;
}

/** Parses the final text as JSON (fences stripped) and checks it against the schema. */
export async function checkAgainstSchema(text: string, schema: Record<string, unknown>): Promise<SchemaCheck> {
  let value: unknown;
  try {
    value = JSON.parse(stripFences(text));
  } catch (error) {
    return { ok: false, problems: `the answer is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const validate = await validatorFor(schema);
  if (validate(value)) return { ok: true, value };
  return { ok: false, problems: describeErrors(validate.errors ?? []) };
}

function describeErrors(errors: ErrorObject[]): string {
  return errors
    .slice(0, 10)
    .map((error) => `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}`)
    .join('; ');
}
