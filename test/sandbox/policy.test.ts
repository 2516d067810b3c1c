// An agent can narrow the sandbox's policy and never widen it: it cannot turn the sandbox off, expose
// more read.deny paths or name more hosts than tools.yaml does. Lint reports each attempt.

import { rm } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { denyAllPermissions } from '../../src/compile/tools.js';
import { narrowPermissions } from '../../src/tools/narrow.js';
import { agentYaml, makeProject, runCli } from '../e2e/helpers.js';

const defaults = {
  ...denyAllPermissions,
  bash: { ...denyAllPermissions.bash, allow: ['git log *'], expose: ['.git/**', 'node_modules/**'], allowHosts: ['*.npmjs.org'], sandbox: 'auto' as const },
};

describe('narrowing the sandbox policy', () => {
  test('an agent cannot turn the sandbox off', () => {
    const { permissions, violations } = narrowPermissions(defaults, { bash: { sandbox: 'off' } });
    expect(permissions.bash.sandbox).toBe('auto');
    expect(violations.map((violation) => violation.field)).toEqual(['bash.sandbox']);
  });

  test('expose and allow_hosts only narrow', () => {
    const { permissions, violations } = narrowPermissions(defaults, { bash: { expose: ['.git/**', 'keys/**'], allowHosts: ['registry.npmjs.org', 'evil.example.com'] } });
    expect(permissions.bash.expose).toEqual(['.git/**']);
    expect(permissions.bash.allowHosts).toEqual(['registry.npmjs.org']);
    expect(violations.map((violation) => `${violation.field} ${String(violation.value)}`)).toEqual(['bash.expose keys/**', 'bash.allowHosts evil.example.com']);
  });

  test('turning the sandbox on where the defaults have it off is fine', () => {
    const { permissions, violations } = narrowPermissions({ ...defaults, bash: { ...defaults.bash, sandbox: 'off' } }, { bash: { sandbox: 'auto' } });
    expect(permissions.bash.sandbox).toBe('auto');
    expect(violations).toEqual([]);
  });

  test('lint names each widening with its file and line', async () => {
    const tools = `version: 1
defaults:
  read: { allow: ["**"], deny: [".env*", ".git/**", "keys/**"] }
  bash: { allow: ["git log *"], expose: [".git/**", ".env*"], allow_hosts: ["*.npmjs.org"] }
tools:
  bash: { builtin: bash }
  run_tests: { command: ["npm", "test"], description: runs the tests, parameters: { type: object }, sandbox: off }
`;
    const agent = `${agentYaml('widener', { tools: ['bash', 'run_tests'] })}permissions:\n  bash: { sandbox: off, expose: ["keys/**"], allow_hosts: ["evil.example.com"] }\n`;
    const root = await makeProject({ 'tools.yaml': tools, 'agents/widener.yaml': agent });
    const result = await runCli(['lint'], { cwd: root, env: { PATH: process.env['PATH'] } });
    const text = result.stdout + result.stderr;
    expect(result.code).toBe(2);
    expect(text).toMatch(/agents\/widener\.yaml:\d+:\d+: error: permissions\.bash\.sandbox: off turns off the OS sandbox/);
    expect(text).toMatch(/agents\/widener\.yaml:\d+:\d+: error: permissions\.bash\.expose `keys\/\*\*` is not within the defaults/);
    expect(text).toMatch(/agents\/widener\.yaml:\d+:\d+: error: permissions\.bash\.allow_hosts `evil\.example\.com` is not within the defaults/);
    expect(text).toMatch(/tools\.yaml:\d+:\d+: warning: `\.env\*` names \.env files, which are never exposed/);
    expect(text).toMatch(/tools\.yaml:\d+:\d+: warning: command tool `run_tests` runs without the OS sandbox/);
    await rm(root, { recursive: true, force: true });
  });
});
