// for_each item counts per tier: certain when given, else the floor assumes one item and the ceiling
// the most the upstream output can hold (its schema's maxItems, else its longest output / 2).
import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/compile.js';
import { estimatePipeline } from '../../src/cost/estimate.js';
import { loadFixtureProject } from '../compile/project.js';
import { agentYaml, makeProject } from '../e2e/helpers.js';

const template = `version: 1
name: flow
steps:
  - id: plan
    agent: plan
    with: { task: "split it" }
  - id: each
    agent: item
    needs: [plan]
    for_each: steps.plan.output.items
    with: { task: "{{item}}" }
`;
const planner = (maxItems?: number) =>
  agentYaml('plan', { output: `params: { max_tokens: 100 }\noutput:\n  schema: { type: object, required: [items], properties: { items: { type: array, ${maxItems ? `maxItems: ${maxItems}, ` : ''}items: { type: string } } } }\n` });

describe('for_each items per tier', () => {
  for (const [label, maxItems, worstItems] of [['the schema maxItems', 7, 7], ['half the longest upstream output', undefined, 50]] as const) {
    it(`ceiling from ${label}`, async () => {
      const root = await makeProject({ 'agents/plan.yaml': planner(maxItems), 'agents/item.yaml': agentYaml('item'), 'templates/flow.yaml': template });
      try {
        const pipeline = compile(await loadFixtureProject(root), { kind: 'template', name: 'flow' });
        const report = await estimatePipeline(pipeline);
        const each = report.steps.find((step) => step.id === 'each')!;
        expect(each.items).toBe(3);
        // One call per item: the floor counts one item, the ceiling `worstItems` on both chain models.
        expect(each.calls).toEqual({ low: 1, expected: 3, worst: worstItems * 2 });
        const given = await estimatePipeline(pipeline, { fanout: 4 });
        expect(given.steps.find((step) => step.id === 'each')!.calls).toEqual({ low: 4, expected: 4, worst: 8 });
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    });
  }
});
