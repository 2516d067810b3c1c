// A representative set of the attack corpus through the real CLI: `agentpipe run` against the wire
// simulator, whose scripted model makes the attack calls one per turn. Checked: everything the model
// received (every request body), stdout, stderr and every file (run files included) for secrets in
// any form, and the machine around the project for anything written.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { runCli } from '../e2e/helpers.js';
import { requireCommands } from '../support/system.js';
import { attackCases } from './cases.js';
import { baseline, leaksIn, violations } from './check.js';
import { makeFixture, type AttackMode, type Fixture } from './fixture.js';

const hasSandbox = requireCommands('OS sandbox attack corpus (CLI)', { bwrap: 'bubblewrap', git: 'git' });

const representative: Record<AttackMode, string[]> = {
  shipped: [
    'cat /etc/passwd shows no host account',
    'cat ../<neighbour>/secret.txt',
    'cat ~/.ssh/id_rsa',
    'cat /proc/1/environ',
    'wc --files0-from=/proc/self/environ',
    'git diff --no-index /dev/null <neighbour>',
    'cat keys/server.pem',
    'git log -p',
    'git diff -- *env',
    'git log --output=<neighbour>',
    'git log --output=README.md',
    'npm test --prefix out prints the environment, plain, base64 and hex',
    'remount: mount -o remount,rw the system and the workspace',
    'network: reach the host loopback',
  ],
  // The scaffold's code-reviewer (git diff *, git log *, git status; run_tests), 15 iterations at most.
  scaffold: [
    'git log -p',
    'git diff -- *env',
    'git diff --no-index /dev/null /etc/shadow',
    'git diff --no-index /dev/null <neighbour>',
    'git diff --no-index /dev/null keys/server.pem',
    'git diff --no-index over the whole workspace',
    'git log --output=<neighbour>',
    'git log --output=~/.bashrc',
    'git log --output=.git/hooks/pre-commit',
    'git log --output=/usr/...',
    'run_tests with a shell payload',
    'cat /proc/1/environ',
  ],
};

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

describe.skipIf(!hasSandbox).each<AttackMode>(['shipped', 'scaffold'])('attacks through the CLI under the %s rules', (mode) => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await makeFixture(mode, sim.url);
  });
  afterAll(() => fixture?.cleanup());

  test('no secret reaches the model, the output or a file, and nothing outside is written', async () => {
    const cases = representative[mode].map((name) => {
      const found = attackCases.find((attack) => attack.name === name);
      if (!found) throw new Error(`no attack case named "${name}"`);
      return found;
    });
    const steps = cases.flatMap((attack) => attack.steps(fixture));
    const final = mode === 'scaffold' ? JSON.stringify({ summary: 'reviewed', findings: [] }) : 'done';
    sim.enqueue(...steps.map((step, index) => ({ toolCalls: [{ id: `attack_${index}`, name: step.tool, input: step.input }] })), { text: final });
    const before = baseline(fixture);
    const from = sim.requests.length;
    const inputs = mode === 'scaffold' ? ['--input', 'change=HEAD'] : ['--input', 'task=attack'];
    const result = await runCli(['run', fixture.agentFile, ...inputs], { cwd: fixture.workspace, env: fixture.env });
    const received = sim.requests.slice(from).map((request) => JSON.stringify(request.body));
    expect(result.code, result.stderr).toBe(0);
    // Every scripted call was answered: one request per tool turn plus the first.
    expect(received).toHaveLength(steps.length + 1);
    const seen = [...received, result.stdout, result.stderr];
    expect(leaksIn(seen.join('\n'), fixture.secrets)).toEqual([]);
    expect(violations(fixture, before, seen)).toEqual([]);
    for (const attack of cases) for (const text of (await attack.hostOnly?.(fixture)) ?? []) expect(received.join('\n')).not.toContain(text);
    // The shipped rules let the planted npm test run: the sandbox, not a pattern, contained it.
    if (mode === 'shipped') expect(received.at(-1)).toContain('PLANTED-RAN');
  }, 300_000);
});
