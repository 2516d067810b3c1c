// The corpus's checks can fail: the leak detector finds a secret in every form it claims to, and
// the same attacks with the sandbox turned off (`sandbox: off`) are caught as escapes.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ToolSet } from '../../src/compile/ir.js';
import { loadAndCompile } from '../../src/compile/project.js';
import { AuditLog } from '../../src/tools/audit.js';
import { executeToolCall } from '../../src/tools/execute.js';
import { requireCommands } from '../support/system.js';
import { attackCases } from './cases.js';
import { baseline, leaksIn, violations } from './check.js';
import { makeFixture, type Fixture } from './fixture.js';

describe('the leak detector', () => {
  const secret = 'acme-cred-7c1f0e9d8b6a5f4e3d2c1b0a';
  test.each([0, 1, 2, 5])('finds a secret base64-encoded inside a longer text at offset %i', (offset) => {
    const text = Buffer.from(`${'x'.repeat(offset)}KEY=${secret}\nPATH=/usr/bin\n`).toString('base64');
    expect(leaksIn(text, [secret])).toEqual([secret]);
    expect(leaksIn(text.replace(/\+/g, '-').replace(/\//g, '_'), [secret])).toEqual([secret]);
  });

  test('finds it in hex, either case, and plain; and nothing in unrelated text', () => {
    const hex = Buffer.from(`A=${secret};`).toString('hex');
    expect(leaksIn(hex, [secret])).toEqual([secret]);
    expect(leaksIn(hex.toUpperCase(), [secret])).toEqual([secret]);
    expect(leaksIn(`... ${secret} ...`, [secret])).toEqual([secret]);
    expect(leaksIn(Buffer.from('PATH=/usr/bin HOME=/tmp').toString('base64'), [secret])).toEqual([]);
  });
});

const hasSandbox = requireCommands('OS sandbox attack control', { bwrap: 'bubblewrap', git: 'git' });

describe.skipIf(!hasSandbox)('with the sandbox off', () => {
  let fixture: Fixture;
  let toolSet: ToolSet;
  beforeAll(async () => {
    fixture = await makeFixture('shipped', 'http://127.0.0.1:9');
    const { pipeline } = await loadAndCompile(fixture.agentFile, { cwd: fixture.workspace, env: fixture.env });
    const compiled = pipeline.steps[0]!.agent.toolSet;
    toolSet = { ...compiled, permissions: { ...compiled.permissions, bash: { ...compiled.permissions.bash, sandbox: 'off' } } };
  }, 60_000);
  afterAll(() => fixture?.cleanup());

  test.each([
    'cat ../<neighbour>/secret.txt',
    'cat ~/.ssh/id_rsa',
    'cat a file in the host /tmp',
    'git diff --no-index /dev/null keys/server.pem',
    'git log --output=<neighbour>',
    'planted code reads the neighbour, home and host /tmp',
  ])('%s is caught as an escape', async (name) => {
    const attack = attackCases.find((candidate) => candidate.name === name)!;
    const before = baseline(fixture);
    const outputs: string[] = [];
    for (const [index, step] of attack.steps(fixture).entries()) {
      const audit = new AuditLog(join(fixture.base, 'audit.jsonl'));
      const result = await executeToolCall(toolSet, { type: 'tool-call', toolCallId: `control_${index}`, toolName: step.tool, input: step.input }, { agent: 'attacker', stepId: 'control', audit, env: fixture.env });
      await audit.flush();
      outputs.push(result.output);
    }
    expect(violations(fixture, before, outputs).length).toBeGreaterThan(0);
  });
});
