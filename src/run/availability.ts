// Before a run: can every step reach at least one model of its chain? A provider needs its key env
// var set; a keyless local server (Ollama, a keyless openai-compatible server) must answer a quick
// probe. When some chain has no usable model the run does not start: the user gets one paragraph
// naming what was looked for and how to fix it (see describeUnavailable).

import type { CompiledPipeline, ModelChain, ModelSpec } from '../compile/ir.js';
import type { ProviderKeyStatus } from '../providers/registry.js';

/** How long a local server gets to answer the probe. A running Ollama answers /api/tags in a few ms, but a
 * loaded machine can take far longer to schedule it; an absent server is refused at once anyway. */
export const probeTimeoutMs = 1500;

export interface ModelCheck {
  model: string;
  usable: boolean;
  /** Env vars that would hold its key (empty for keyless providers). */
  envVars: string[];
  /** URL probed for keyless local servers. */
  probedUrl?: string;
  reason?: string;
}

export interface ChainCheck {
  chain: string;
  steps: string[];
  models: ModelCheck[];
  usable: boolean;
}

export type KeyStatus = (spec: ModelSpec['provider'], env: NodeJS.ProcessEnv) => ProviderKeyStatus;
export type Probe = (url: string) => Promise<boolean>;

export async function probeUrl(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(probeTimeoutMs) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

const probePath = (spec: ModelSpec): string | undefined =>
  spec.provider.type === 'ollama' ? '/api/tags' : spec.provider.type === 'openai-compatible' ? '/models' : undefined;

/** Checks each distinct chain once; probes each URL once. */
export async function checkChains(pipeline: CompiledPipeline, env: NodeJS.ProcessEnv, keyStatus: KeyStatus, probe: Probe = probeUrl): Promise<ChainCheck[]> {
  const chains = new Map<string, { chain: ModelChain; steps: string[] }>();
  for (const step of pipeline.steps) {
    const key = step.agent.chain.models.map((model) => model.ref.id).join(',');
    const entry = chains.get(key) ?? { chain: step.agent.chain, steps: [] };
    entry.steps.push(step.id);
    chains.set(key, entry);
  }
  const probes = new Map<string, Promise<boolean>>();
  const checkModel = async (spec: ModelSpec, probeLocal: boolean): Promise<ModelCheck> => {
    const status = keyStatus(spec.provider, env);
    const base = { model: spec.ref.id, envVars: status.envVars };
    if (!status.isSet || !status.baseUrl) return { ...base, usable: false, reason: status.reason ?? 'not configured' };
    const path = status.required ? undefined : probePath(spec);
    if (path === undefined) return { ...base, usable: true };
    if (!probeLocal) return { ...base, usable: false, reason: 'not probed: another model of the chain has a key' };
    const url = `${status.baseUrl.replace(/\/$/, '')}${path}`;
    if (!probes.has(url)) probes.set(url, probe(url));
    const answered = await probes.get(url)!;
    return { ...base, probedUrl: url, usable: answered, ...(answered ? {} : { reason: `nothing answered at ${url}` }) };
  };
  return Promise.all(
    [...chains.values()].map(async ({ chain, steps }) => {
      // Local servers are probed only when no keyed model can serve the chain.
      const keyed = await Promise.all(chain.models.map((model) => checkModel(model, false)));
      const models = keyed.some((model) => model.usable) ? keyed : await Promise.all(chain.models.map((model) => checkModel(model, true)));
      return { chain: chain.name, steps, models, usable: models.some((model) => model.usable) };
    }),
  );
}

/** The one paragraph shown when a chain has no usable model. */
export function describeUnavailable(checks: ChainCheck[], root: string, ending = 'Nothing was called; this is what the run would do:'): string {
  const failing = checks.filter((check) => !check.usable);
  const envVars = [...new Set(failing.flatMap((check) => check.models.flatMap((model) => model.envVars)))];
  const urls = [...new Set(failing.flatMap((check) => check.models.flatMap((model) => (model.probedUrl ? [model.probedUrl] : []))))];
  const what = failing.map((check) => `${check.chain} (${check.models.map((model) => model.model).join(', ')}) for ${plural('step', check.steps)}`).join('; ');
  const keys = envVars.length > 0 ? `an API key in ${orList(envVars)}` : '';
  const servers = urls.length > 0 ? `a local server answering ${orList(urls)}` : '';
  const lookedFor = [keys, servers].filter(Boolean).join(', or ');
  const fixes = [
    envVars.length > 0 ? `export a key (for example \`export ${envVars[0]}=...\`)` : '',
    envVars.length > 0 ? `put it in ${root.replace(/\/$/, '')}/.env (never committed; agentpipe reads it at start)` : '',
    urls.some((url) => url.endsWith('/api/tags')) ? 'start Ollama (`ollama serve`, then `ollama pull <model>`; OLLAMA_HOST sets its address)' : '',
    urls.some((url) => !url.endsWith('/api/tags')) ? 'start the local server' : '',
  ].filter(Boolean);
  return (
    `agentpipe: no model can be called for ${what}. ` +
    `It looked for ${lookedFor || 'a configured provider'} and found none. ` +
    `To fix it, ${orList(fixes)}, or pick another route with --model. ` +
    `To try it with no key at all, add --sim: the built-in simulator answers every call, at $0. ` +
    ending
  );
}

const plural = (word: string, items: string[]) => `${word}${items.length > 1 ? 's' : ''} ${items.join(', ')}`;

function orList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
