// Human-readable lines for `explain`: the plan, each step's chain with prices, permissions, search.

import { keyEnvVarsFor } from '../providers/key-env.js';
import { describeSearch } from '../search/estimate.js';
import type { CompiledPipeline, CompiledStep, ModelChain, Permissions } from './ir.js';

export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GB', 1024 ** 3], ['MB', 1024 ** 2], ['KB', 1024]] as const) if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  return `${bytes}B`;
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

const list = (values: readonly string[]): string => (values.length ? values.join(', ') : 'nothing');

export function describeChain(chain: ModelChain): string[] {
  const models = chain.models.map((model, index) => {
    const { pricing } = model;
    const cache = `${pricing.cacheRead !== undefined ? `, cache read $${pricing.cacheRead}` : ''}${pricing.cacheWrite !== undefined ? `, cache write $${pricing.cacheWrite}` : ''}`;
    const context = model.contextWindow !== undefined ? `, ${model.contextWindow} ctx` : '';
    const keyNames = keyEnvVarsFor(model.provider);
    const key = keyNames.length > 0 ? `, key ${keyNames.join(' or ')}` : '';
    return `    ${index + 1}. ${model.ref.id}: $${pricing.input} in / $${pricing.output} out per 1M${cache}${context}${key}`;
  });
  const { retry } = chain;
  return [
    `  model chain "${chain.name}" (${chain.models.length > 1 ? 'tried in order' : 'no fallback'}):`,
    ...models,
    `    retry: ${retry.attempts} attempts per model, backoff ${formatDuration(retry.initialDelayMs)}..${formatDuration(retry.maxDelayMs)}${retry.honorRetryAfter ? ', honours retry-after' : ''}; falls back on ${chain.fallbackOn.join(', ')}`,
    ...Object.entries(chain.rateLimits).map(([provider, limit]) => `    rate limit ${provider}: ${limit.rpm ?? '-'} rpm, ${limit.tpm ?? '-'} tpm`),
  ];
}

export function describePermissions(permissions: Permissions): string[] {
  const { read, write, bash, http } = permissions;
  return [
    `    read:  allow ${list(read.allow)}; deny ${list(read.deny)}; max ${formatBytes(read.maxBytes)}`,
    `    write: allow ${list(write.allow)}; deny ${list(write.deny)}; max ${formatBytes(write.maxBytes)}`,
    `    bash:  allow ${list(bash.allow)}; deny ${list(bash.deny)}; timeout ${formatDuration(bash.timeoutMs)}; output ${formatBytes(bash.maxOutputBytes)}; env ${list(bash.env)}${bash.shell ? '; shell on' : ''}; sandbox ${bash.sandbox === 'off' ? 'OFF' : 'auto'}${bash.expose.length ? `; expose ${list(bash.expose)}` : ''}; network ${bash.allowHosts.length ? list(bash.allowHosts) : 'none'}`,
    `    http:  hosts ${list(http.allowHosts)}; deny ${list(http.denyHosts)}; timeout ${formatDuration(http.timeoutMs)}; max ${formatBytes(http.maxBytes)}`,
  ];
}

function describeStep(step: CompiledStep): string[] {
  const { agent } = step;
  const fanout = step.forEach ? `, for_each ${step.forEach} (concurrency ${step.concurrency})` : '';
  const when = step.when ? `, when ${step.when}` : '';
  const limits = [`max_iterations ${step.limits.maxIterations}`, ...(step.limits.maxCostUsd !== undefined ? [`max_cost $${step.limits.maxCostUsd}`] : []), ...(step.limits.timeoutMs !== undefined ? [`timeout ${formatDuration(step.limits.timeoutMs)}`] : [])];
  const parts = agent.prompt.system.map((part) => `${part.kind === 'layer' ? part.name : 'system'}${part.cacheable ? ' (cacheable)' : ''}`);
  const tools = agent.toolSet.tools.map((tool) => (tool.kind === 'command' && tool.sandbox === 'off' ? `${tool.name} (sandbox OFF)` : tool.name));
  return [
    `step ${step.id}: agent ${agent.name} (${agent.source.file})${fanout}${when}`,
    `  needs: ${step.needs.length ? step.needs.join(', ') : '-'}`,
    ...describeChain(agent.chain),
    `  params: max_tokens ${agent.params.maxTokens}${agent.params.temperature !== undefined ? `, temperature ${agent.params.temperature}` : ''}`,
    `  prompt: ${parts.length ? parts.join(' + ') : '(no system prompt)'} + user`,
    `  tools: ${tools.length ? `${tools.join(', ')} (workspace ${agent.toolSet.workspace})` : 'none'}`,
    ...(tools.length ? ['  permissions:', ...describePermissions(agent.toolSet.permissions)] : []),
    `  ${describeSearch(agent.search)}`,
    `  limits: ${limits.join(', ')}`,
  ];
}

export function describePipeline(pipeline: CompiledPipeline): string {
  const inputs = Object.entries(pipeline.inputs).map(([name, spec]) => `${name} (${spec.type}${spec.required ? ', required' : ''})`);
  const lines = [
    `${pipeline.kind} ${pipeline.name} (${pipeline.source.file})`,
    `inputs: ${inputs.length ? inputs.join(', ') : 'none'}`,
    `levels (steps in one level run in parallel, up to ${pipeline.concurrency} at once):`,
    ...pipeline.levels.map((level, index) => `  ${index + 1}. ${level.join(', ')}`),
    ...(pipeline.limits.maxCostUsd !== undefined ? [`budget: $${pipeline.limits.maxCostUsd}`] : []),
    ...(pipeline.limits.timeoutMs !== undefined ? [`timeout: ${formatDuration(pipeline.limits.timeoutMs)}`] : []),
  ];
  for (const step of pipeline.steps) lines.push('', ...describeStep(step));
  return `${lines.join('\n')}\n`;
}
