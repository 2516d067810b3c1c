// For long-running processes (a queue worker, serve): which model chains of the whole config repo
// can be called with the keys and local servers this process has. A worker with no key would fail
// every job one by one; saying so once at start-up is kinder. Nothing here calls a model: keys are
// looked up and local servers probed, as `run` does before a run.

import type { CompiledPipeline } from '../compile/ir.js';
import type { ChainCheck } from './availability.js';

export interface ProjectAvailability {
  checks: ChainCheck[];
  /** One paragraph when some chain has no usable model, else undefined. */
  warning?: string;
}

export async function checkProjectChains(root: string, env: NodeJS.ProcessEnv): Promise<ProjectAvailability> {
  const [{ loadConfig }, { compile }, { checkChains }, { providerKeyStatus }] = await Promise.all([
    import('../compile/project.js'),
    import('../compile/compile.js'),
    import('./availability.js'),
    import('../providers/registry.js'),
  ]);
  const { config, env: projectEnv } = await loadConfig({ cwd: root, env });
  const steps: CompiledPipeline['steps'] = [];
  let first: CompiledPipeline | undefined;
  for (const name of config.agents.keys()) {
    try {
      const pipeline = compile(config, { kind: 'agent', name }, { env: projectEnv, cwd: root });
      first ??= pipeline;
      steps.push(...pipeline.steps.map((step) => ({ ...step, id: name })));
    } catch {
      // An agent that does not compile is lint's business, not a start-up warning's.
    }
  }
  if (!first) return { checks: [] };
  const checks = await checkChains({ ...first, steps }, projectEnv, providerKeyStatus);
  const failing = checks.filter((check) => !check.usable);
  if (failing.length === 0) return { checks };
  const envVars = [...new Set(failing.flatMap((check) => check.models.flatMap((model) => model.envVars)))];
  const urls = [...new Set(failing.flatMap((check) => check.models.flatMap((model) => (model.probedUrl ? [model.probedUrl] : []))))];
  const agents = failing.flatMap((check) => check.steps);
  const looked = [envVars.length ? `no key in ${envVars.join(', ')}` : '', urls.length ? `nothing answering ${urls.join(', ')}` : ''].filter(Boolean).join(' and ');
  const warning =
    `warning: ${looked || 'no usable provider'}: route(s) ${failing.map((check) => check.chain).join(', ')} cannot be called, so runs of ` +
    `${agents.length > 6 ? `${agents.slice(0, 6).join(', ')} and ${agents.length - 6} more agent(s)` : agents.join(', ')} (and templates using them) will fail; ` +
    `set a key in the environment or ${root.replace(/\/$/, '')}/.env, or start the local server`;
  return { checks, warning };
}
