// Tool definitions every vendor accepts, checked in tools.yaml whether or not an agent uses the tool:
// - names: OpenAI and Anthropic take at most 64 characters, Gemini 63 (only when a Gemini provider is
//   configured, since then any route may reach it);
// - a command tool's `parameters` must be a valid JSON Schema (2020-12 metaschema; a typo such as
//   `type: strin` is otherwise sent to every vendor);
// - a keyword a vendor drops (providers/json-schema/vendor-keywords.ts) is a warning, naming the
//   agents whose routes reach that vendor, since the model there is not told that constraint.

import type { ProviderType } from '../compile/ir.js';
import { keywordsIn } from '../providers/json-schema/inline-refs.js';
import { vendorSchemaRules } from '../providers/json-schema/vendor-keywords.js';
import { report, type ValidationContext } from './context.js';

export const toolNameLimit = 64;
export const geminiToolNameLimit = 63;

type Validator = ((value: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string; params?: Record<string, unknown> }> | null };

export async function checkToolVendors(context: ValidationContext): Promise<void> {
  const tools = context.tools;
  if (!tools) return;
  const providerTypes = new Map(Object.entries(context.providers?.value.providers ?? {}).flatMap(([name, spec]) => (spec ? [[name, spec.type as ProviderType] as const] : [])));
  const geminiConfigured = [...providerTypes.values()].includes('gemini');
  const limit = geminiConfigured ? geminiToolNameLimit : toolNameLimit;
  for (const name of Object.keys(tools.value.tools)) {
    if (name.length <= limit) continue;
    const who = geminiConfigured ? 'Gemini (configured in providers.yaml) accepts' : 'OpenAI and Anthropic accept';
    report(context, tools.source, ['tools', name], 'tools/name', `tool name \`${name.slice(0, 20)}…\` is ${name.length} characters; ${who} at most ${limit}`, {
      key: true,
      fix: `shorten it to ${limit} characters or fewer`,
    });
  }
  const commandTools = Object.entries(tools.value.tools).filter(([, tool]) => tool?.command !== undefined && typeof tool.parameters === 'object' && tool.parameters !== null);
  if (commandTools.length === 0) return;
  // Generated standalone code (scripts/gen-metaschema.mjs): no schema compile at lint time.
  const { jsonSchema2020 } = (await import('./generated/json-schema-2020.js')) as unknown as { jsonSchema2020: Validator };
  const reach = vendorsByTool(context, providerTypes);
  for (const [name, tool] of commandTools) {
    const path = ['tools', name, 'parameters'];
    if (!jsonSchema2020(tool?.parameters)) {
      const first = jsonSchema2020.errors?.[0];
      const allowed = first?.params?.['allowedValues'];
      report(context, tools.source, [...path, ...(first?.instancePath.split('/').slice(1) ?? [])], 'tools/parameters', `parameters of \`${name}\` are not a valid JSON Schema: ${first?.instancePath || '(root)'} ${first?.message ?? 'is invalid'}`, {
        ...(Array.isArray(allowed) ? { fix: `use one of ${allowed.join(', ')}` } : { fix: 'see https://json-schema.org/draft/2020-12' }),
      });
      continue;
    }
    const used = keywordsIn(tool?.parameters);
    for (const [vendor, agents] of reach.get(name) ?? []) {
      const dropped = vendorSchemaRules[vendor].toolDrops.filter((keyword) => used.has(keyword));
      if (dropped.length === 0) continue;
      report(context, tools.source, path, 'tools/dropped-keyword', `parameters of \`${name}\` use ${dropped.join(', ')}, which ${vendor} drops; agent${agents.length > 1 ? 's' : ''} ${agents.join(', ')} can reach ${vendor}, whose model is not told that constraint`, {
        severity: 'warning',
        fix: 'say the constraint in the description too, or keep those agents off that vendor',
      });
    }
  }
}

/** tool name -> vendor type -> agents that list the tool and whose route reaches that vendor. */
function vendorsByTool(context: ValidationContext, providerTypes: Map<string, ProviderType>): Map<string, Map<ProviderType, string[]>> {
  const routes = context.providers?.value.routes ?? {};
  const result = new Map<string, Map<ProviderType, string[]>>();
  for (const [agentName, agent] of context.agents) {
    const modelIds = routes[agent.value.model] ?? [agent.value.model];
    const vendors = new Set(modelIds.flatMap((id) => providerTypes.get(id.slice(0, id.indexOf('/'))) ?? []));
    for (const tool of agent.value.tools ?? []) {
      const byVendor = result.get(tool) ?? new Map<ProviderType, string[]>();
      for (const vendor of vendors) byVendor.set(vendor, [...(byVendor.get(vendor) ?? []), agentName]);
      result.set(tool, byVendor);
    }
  }
  return result;
}
