// One function every adapter uses to turn a schema into what its vendor takes: refs inlined where the
// vendor lacks them, dropped keywords stripped, and a warning saying what changed (the chain reports
// each warning once per run).

import type { ProviderType } from '../../compile/ir.js';
import type { CallWarning } from '../types.js';
import { inlineLocalRefs, stripKeywords, type JsonObject } from './inline-refs.js';
import { vendorSchemaRules } from './vendor-keywords.js';

export function prepareSchema(
  vendor: ProviderType,
  use: 'tool' | 'output',
  label: string,
  schema: JsonObject,
  warnings: CallWarning[],
): JsonObject {
  const rules = vendorSchemaRules[vendor];
  let prepared = schema;
  if (rules.inlinesRefs) {
    const inlined = inlineLocalRefs(prepared);
    prepared = inlined.schema;
    if (inlined.problems.length > 0)
      warnings.push({ type: 'other', message: `${label}: ${vendor} cannot take ${inlined.problems.join(', ')} in a schema; sent as an unconstrained value` });
  }
  const drops = use === 'tool' ? rules.toolDrops : rules.outputDrops;
  if (drops.length === 0) return prepared;
  const stripped = stripKeywords(prepared, new Set(drops));
  if (stripped.removed.length > 0)
    warnings.push({
      type: 'unsupported-setting',
      setting: `${use}-schema`,
      message: `${label}: ${vendor} does not support ${stripped.removed.join(', ')} in a ${use === 'tool' ? 'tool schema' : 'structured-output schema'}; stripped${use === 'output' ? ' (the answer is still checked against the full schema)' : ''}`,
    });
  return stripped.schema;
}
