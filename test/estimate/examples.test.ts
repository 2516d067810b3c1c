// estimate on every example template and agent, offline: the tiers are ordered and non-zero.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/compile.js';
import { loadConfig } from '../../src/compile/project.js';
import { estimatePipeline } from '../../src/cost/estimate.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { config, env } = await loadConfig({ cwd: root, env: {} });
const targets = [...[...config.templates.keys()].map((name) => ({ kind: 'template' as const, name })), ...[...config.agents.keys()].map((name) => ({ kind: 'agent' as const, name }))];

describe('estimate on the examples', () => {
  it('finds example templates', () => {
    expect(config.templates.size).toBeGreaterThan(0);
  });

  for (const target of targets) {
    it(`orders low <= expected <= worst for ${target.kind} ${target.name}`, async () => {
      const report = await estimatePipeline(compile(config, target, { env }), { today: '2026-01-01' });
      for (const step of [...report.steps.map((entry) => entry.costUsd), report.totalUsd]) {
        expect(step.low).toBeLessThanOrEqual(step.expected);
        expect(step.expected).toBeLessThanOrEqual(step.worst);
      }
      for (const step of report.steps) {
        expect(step.inputTokens.low).toBeLessThanOrEqual(step.inputTokens.expected);
        expect(step.inputTokens.expected).toBeLessThanOrEqual(step.inputTokens.worst);
        expect(step.prompt.user).toBeGreaterThan(0);
      }
      expect(report.totalUsd.worst).toBeGreaterThan(0);
    });
  }
});
