// The attack corpus under the shipped tools.yaml, with an agent allowed every tool.

import { expect, test } from 'vitest';
import { attackCases } from './cases.js';
import { describeCorpus } from './corpus.js';

test('the corpus holds at least 120 cases with the 43 of test/tools/sandbox.test.ts', () => {
  expect(attackCases.length + 43).toBeGreaterThanOrEqual(120);
  expect(new Set(attackCases.map((attack) => attack.name)).size).toBe(attackCases.length);
});

describeCorpus('shipped');
