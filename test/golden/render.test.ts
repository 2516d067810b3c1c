// Golden files of every example agent's rendered prompt (placeholder inputs, fixed date).
// Regenerate after an intended prompt change with: UPDATE_GOLDEN=1 npx vitest run test/golden
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/compile.js';
import { resolveInputs } from '../../src/compile/inputs.js';
import { loadConfig } from '../../src/compile/project.js';
import { renderPrompt } from '../../src/compile/prompt.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const goldenDir = fileURLToPath(new URL('.', import.meta.url));
const { config, env } = await loadConfig({ cwd: root, env: {} });

describe('golden prompts of the example agents', () => {
  it('covers every example agent', () => {
    expect(config.agents.size).toBeGreaterThan(0);
  });

  for (const name of config.agents.keys()) {
    it(`renders ${name}`, () => {
      const agent = compile(config, { kind: 'agent', name }, { env }).steps[0]!.agent;
      const prompt = renderPrompt(agent, { inputs: resolveInputs(agent.inputs, {}, { mode: 'estimate' }), today: '2026-01-01', run: { id: 'golden' } });
      const text = prompt.parts.map((part) => `=== ${part.kind} ${part.name} (${part.source.file}:${part.source.line}${part.cacheable ? ', cacheable' : ''})\n${part.text}\n`).join('\n');
      const file = `${goldenDir}${name}.txt`;
      if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(file, text);
      expect(existsSync(file), `${file} is missing: run UPDATE_GOLDEN=1 npx vitest run test/golden`).toBe(true);
      expect(text).toBe(readFileSync(file, 'utf8'));
    });
  }
});
