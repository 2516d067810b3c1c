// A step's `for_each` must name a list, and lint can often prove it does not, before the steps
// before it are paid for: `inputs.X` must be declared `type: array`, and `steps.S.output.FIELD...`
// must be a field of agent S's output.schema whose type is array. Whether the path exists at all
// (the step, its place in needs, the input) is check-variables' job.

import type { ValuePath } from '../load/types.js';
import { report, type ValidationContext } from './context.js';
import { didYouMean } from './suggest.js';
import type { TemplateFile } from './types.gen.js';
import type { Checked } from './types.js';

type SchemaNode = Record<string, unknown>;
type Problem = { message: string; fix: string; severity?: 'warning' };

const isNode = (value: unknown): value is SchemaNode => value !== null && typeof value === 'object' && !Array.isArray(value);

export function checkForEach(context: ValidationContext, checked: Checked<TemplateFile>, index: number): void {
  const { value: template, source } = checked;
  const forEach = template.steps[index]?.for_each;
  if (forEach === undefined) return;
  const [root, name = '', ...rest] = forEach.split('.');
  const problem = root === 'inputs' ? inputProblem(template, forEach, name, rest) : stepProblem(context, template, forEach, name, rest.slice(1));
  if (!problem) return;
  const path: ValuePath = ['steps', index, 'for_each'];
  report(context, source, path, 'steps/for-each', problem.message, { fix: problem.fix, ...(problem.severity ? { severity: problem.severity } : {}) });
}

function inputProblem(template: TemplateFile, forEach: string, name: string, fields: string[]): Problem | undefined {
  const input = template.inputs?.[name];
  if (!input) return undefined;
  const type = input.type ?? 'string';
  if (fields.length === 0 && type !== 'array') {
    return { message: `for_each \`${forEach}\` is a ${type} input, not a list`, fix: `declare \`${name}\` with \`type: array\` under inputs:, or loop over a list` };
  }
  if (fields.length > 0 && type !== 'object' && type !== 'array') {
    return { message: `for_each \`${forEach}\` reads a field of \`inputs.${name}\`, which is a ${type}`, fix: `loop over an input declared with \`type: array\`` };
  }
  return undefined;
}

function stepProblem(context: ValidationContext, template: TemplateFile, forEach: string, stepId: string, fields: string[]): Problem | undefined {
  const step = template.steps.find((candidate) => candidate.id === stepId);
  const agent = step ? context.agents.get(step.agent)?.value : undefined;
  if (!step || !agent) return undefined;
  // A for_each step's output is the list of its items' outputs.
  if (step.for_each !== undefined) {
    if (fields.length === 0) return undefined;
    if (!/^\d+$/.test(fields[0] ?? '')) return { message: `for_each \`${forEach}\`: step \`${stepId}\` runs for_each, so its output is a list (one output per item), not an object`, fix: `loop over steps.${stepId}.output` };
    fields = fields.slice(1);
  }
  const schema = agent.output?.schema as SchemaNode | undefined;
  const owner = `agent \`${agent.name}\``;
  if (schema === undefined) {
    if (fields.length === 0 && step.for_each !== undefined) return undefined;
    return {
      severity: 'warning',
      message: `for_each \`${forEach}\`: ${owner} (step \`${stepId}\`) has no output.schema, so lint cannot check that this is a list`,
      fix: `give agents/${agent.name}.yaml an output.schema${fields.length > 0 ? ` with \`${fields.join('.')}\` of type array` : ' of type array'}`,
    };
  }
  let node: SchemaNode | undefined = resolve(schema, schema);
  const walked: string[] = [];
  for (const field of fields) {
    if (!node || unknownShape(node)) return undefined;
    const here = ['output', ...walked].join('.');
    if (typesOf(node).includes('array') || node['items'] !== undefined) {
      if (!/^\d+$/.test(field)) return { message: `for_each \`${forEach}\`: \`${here}\` is a list in ${owner}'s output.schema, so it has no field \`${field}\``, fix: `loop over steps.${stepId}.${here}` };
      node = isNode(node['items']) ? resolve(node['items'], schema) : undefined;
    } else if (isNode(node['properties'])) {
      const properties = node['properties'];
      const child = isNode(properties[field]) ? properties[field] : node['additionalProperties'];
      if (!isNode(child)) {
        const names = Object.keys(properties);
        return { message: `for_each \`${forEach}\`: ${owner}'s output.schema has no field \`${field}\`${walked.length > 0 ? ` in \`${walked.join('.')}\`` : ''}${didYouMean(field, names)}`, fix: `use one of its fields: ${names.join(', ') || 'none'}` };
      }
      node = resolve(child, schema);
    } else if (isNode(node['additionalProperties'])) {
      node = resolve(node['additionalProperties'], schema);
    } else if (typesOf(node).length > 0 && !typesOf(node).includes('object')) {
      return { message: `for_each \`${forEach}\`: \`${here}\` is a ${typesOf(node).join(' or ')} in ${owner}'s output.schema, so it has no field \`${field}\``, fix: 'loop over a field of type array' };
    } else {
      return undefined;
    }
    walked.push(field);
  }
  const types = node ? typesOf(node) : [];
  if (!node || unknownShape(node) || types.length === 0 || types.includes('array')) return undefined;
  return { message: `for_each \`${forEach}\` is a ${types.join(' or ')} in ${owner}'s output.schema, not a list`, fix: 'loop over a field of type array, or make this one `type: array`' };
}

/** Follows a local `$ref` (`#/$defs/x`) inside the agent's own schema. */
function resolve(node: SchemaNode, schema: SchemaNode): SchemaNode | undefined {
  for (let depth = 0; typeof node['$ref'] === 'string' && depth < 10; depth++) {
    const reference = node['$ref'];
    if (!reference.startsWith('#')) return undefined;
    let target: unknown = schema;
    for (const raw of reference.slice(1).split('/').slice(1)) target = isNode(target) ? target[decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~')] : undefined;
    if (!isNode(target)) return undefined;
    node = target;
  }
  return node;
}

function typesOf(node: SchemaNode): string[] {
  const type = node['type'];
  return typeof type === 'string' ? [type] : Array.isArray(type) ? type.filter((entry): entry is string => typeof entry === 'string') : [];
}

/** Combinators and conditionals: what the value looks like is not a simple walk, so nothing is claimed. */
function unknownShape(node: SchemaNode): boolean {
  return ['anyOf', 'oneOf', 'allOf', 'if', 'not', '$ref'].some((keyword) => node[keyword] !== undefined);
}
