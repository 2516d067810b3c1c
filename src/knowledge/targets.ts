// Which agents a knowledge or memory command is about: those of one agent or template file, or
// (--all) every agent of the project that has `knowledge:`.

import { loadAndCompile, loadConfig } from '../compile/project.js';
import { compile } from '../compile/compile.js';
import type { CompiledAgent, CompiledPipeline } from '../compile/ir.js';
import { UsageError } from '../errors.js';
import { hasKnowledge, type KnowledgeAgent } from './service.js';

export interface KnowledgeTargets {
  root: string;
  env: NodeJS.ProcessEnv;
  agents: KnowledgeAgent[];
}

export function knowledgeAgentsOf(pipeline: CompiledPipeline): KnowledgeAgent[] {
  const seen = new Map<string, CompiledAgent>();
  for (const step of pipeline.steps) seen.set(step.agent.name, step.agent);
  return [...seen.values()].filter(hasKnowledge);
}

export async function knowledgeTargets(target: string | undefined, all: boolean): Promise<KnowledgeTargets> {
  if (target && all) throw new UsageError('give a target or --all, not both');
  if (target) {
    const { config, env, pipeline } = await loadAndCompile(target);
    const agents = knowledgeAgentsOf(pipeline);
    if (agents.length === 0) throw new UsageError(`${pipeline.source.file} has no agent with knowledge: to index`);
    return { root: config.root, env, agents };
  }
  if (!all) throw new UsageError('`agentpipe index` needs an agent or template file, or --all');
  const { config, env } = await loadConfig();
  const agents = [...config.agents.keys()].sort().flatMap((name) => knowledgeAgentsOf(compile(config, { kind: 'agent', name }, { env })));
  return { root: config.root, env, agents };
}
