// `render --check` / `render --update`: golden prompts. Each agent's rendered prompt (placeholder
// inputs, `{{today}}` as the literal `<today>`) is kept in tests/prompts/<agent>.txt, so a repo can pin
// its prompts without cassettes and review prompt changes as file diffs. Source lines are left out
// of the snapshot so that a comment or a moved key does not fail the check.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { compile } from '../compile/compile.js';
import { resolveInputs } from '../compile/inputs.js';
import { renderPrompt } from '../compile/prompt.js';
import type { ProjectConfig } from '../validate/types.js';

export const goldenFolder = 'tests/prompts';

export interface GoldenResult {
  agent: string;
  /** Relative to the project root. */
  file: string;
  status: 'same' | 'changed' | 'missing' | 'written';
  /** Unified diff, snapshot → now, for a changed snapshot. */
  diff?: string;
}

export function goldenText(config: ProjectConfig, env: NodeJS.ProcessEnv, agentName: string): string {
  const agent = compile(config, { kind: 'agent', name: agentName }, { env, cwd: config.root }).steps[0]!.agent;
  const prompt = renderPrompt(agent, { inputs: resolveInputs(agent.inputs, {}, { mode: 'estimate' }), today: '<today>', run: { id: '<run>' } });
  return prompt.parts.map((part) => `=== ${part.kind === 'user' ? 'user' : `${part.kind} ${part.name}`} (${part.source.file}${part.cacheable ? ', cacheable' : ''})\n${part.text}\n`).join('\n');
}

export async function checkGolden(config: ProjectConfig, env: NodeJS.ProcessEnv, agents: string[], update: boolean): Promise<GoldenResult[]> {
  const results: GoldenResult[] = [];
  for (const agent of agents) {
    const file = `${goldenFolder}/${agent}.txt`;
    const absolute = path.join(config.root, file);
    const now = goldenText(config, env, agent);
    const before = await readFile(absolute, 'utf8').catch(() => undefined);
    if (before === now) {
      results.push({ agent, file, status: 'same' });
    } else if (update) {
      await mkdir(path.dirname(absolute), { recursive: true });
      await writeFile(absolute, now);
      results.push({ agent, file, status: 'written' });
    } else if (before === undefined) {
      results.push({ agent, file, status: 'missing' });
    } else {
      results.push({ agent, file, status: 'changed', diff: createTwoFilesPatch(`${file} (committed)`, `${agent} (rendered now)`, before, now, undefined, undefined, { context: 2 }) });
    }
  }
  return results;
}
