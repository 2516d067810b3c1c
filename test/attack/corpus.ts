// The attack corpus in process: every case through executeToolCall (the code the agent loop calls),
// with the tool set compiled from the real config of a mode, and "no escape" checked after each.
// One test file per mode (shipped.test.ts, scaffold.test.ts) so the two run in parallel; cli.test.ts
// runs a representative set through the real CLI and the wire simulator.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ToolSet } from '../../src/compile/ir.js';
import { loadAndCompile } from '../../src/compile/project.js';
import { AuditLog } from '../../src/tools/audit.js';
import { executeToolCall } from '../../src/tools/execute.js';
import { requireCommands } from '../support/system.js';
import { attackCases } from './cases.js';
import { baseline, violations } from './check.js';
import { makeFixture, type AttackMode, type Fixture } from './fixture.js';

export function describeCorpus(mode: AttackMode): void {
  const hasSandbox = requireCommands('OS sandbox attack corpus', { bwrap: 'bubblewrap', git: 'git' });

  describe.skipIf(!hasSandbox)(`attack corpus under the ${mode} rules`, () => {
    let fixture: Fixture;
    let toolSet: ToolSet;
    let audit: AuditLog;
    let callCount = 0;
    const executed: string[] = [];

    beforeAll(async () => {
      fixture = await makeFixture(mode, 'http://127.0.0.1:9');
      const { pipeline } = await loadAndCompile(fixture.agentFile, { cwd: fixture.workspace, env: fixture.env });
      toolSet = pipeline.steps[0]!.agent.toolSet;
      audit = new AuditLog(join(fixture.base, 'audit.jsonl'));
    }, 60_000);

    afterAll(async () => {
      // A background process a case left behind would show up here, after every other case ran.
      expect(violations(fixture, baseline(fixture), [])).toEqual([]);
      await audit?.flush();
      await fixture?.cleanup();
    });

    test.each(attackCases)('$name', async (attack) => {
      const before = baseline(fixture);
      const outputs: string[] = [];
      for (const step of attack.steps(fixture)) {
        callCount += 1;
        const call = { type: 'tool-call' as const, toolCallId: `attack_${callCount}`, toolName: step.tool, input: step.input };
        const result = await executeToolCall(toolSet, call, { agent: 'attacker', stepId: 'attack', audit, env: fixture.env });
        outputs.push(result.output);
        if (step.tool === 'bash' && !result.output.startsWith('Permission denied')) executed.push(attack.name);
      }
      expect(violations(fixture, before, outputs)).toEqual([]);
      for (const text of (await attack.hostOnly?.(fixture)) ?? []) expect(outputs.join('\n')).not.toContain(text);
      // The sandbox, not a denial, stopped planted code: it really ran (the shipped rules allow npm test).
      if (mode === 'shipped' && attack.ran) expect(outputs.join('\n')).toContain(attack.ran);
    });

    test('the argument patterns let most bash attacks through, so the sandbox is what stopped them', () => {
      expect(new Set(executed).size).toBeGreaterThanOrEqual(mode === 'shipped' ? 60 : 15);
    });
  });
}
