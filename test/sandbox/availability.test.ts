// Where no sandbox can run, bash and command tools are refused with one line saying why, unless the
// policy says `sandbox: off`, which lint warns about and explain shows in red.

import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { detectBubblewrap } from '../../src/sandbox/detect.js';
import { startSimulator, type SimRequest, type Simulator } from '../../src/sim/index.js';
import { agentYaml, makeProject, repoRoot, runCli, simEnv } from '../e2e/helpers.js';
import { requireCommands, which } from '../support/system.js';

const hasSandbox = requireCommands('OS sandbox', { bwrap: 'bubblewrap' });
const nodeFolder = dirname(process.execPath);

const toolsYaml = (sandboxLine: string) => `version: 1
defaults:
  read: { allow: ["**"], deny: [".env*"] }
  bash: { allow: ["${process.execPath} *"], env: [PATH]${sandboxLine} }
tools:
  bash: { builtin: bash }
`;

/** The text of the tool result the model received in its second request. */
function toolResultText(requests: SimRequest[]): string {
  return JSON.stringify(requests.at(-1)?.body ?? {});
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

async function runBashOnce(tools: string, path: string): Promise<{ toolResult: string; code: number | null; root: string }> {
  const root = await makeProject({ 'tools.yaml': tools, 'agents/runner.yaml': agentYaml('runner', { tools: ['bash'] }) });
  const from = sim.requests.length;
  sim.enqueue({ toolCalls: [{ name: 'bash', input: { argv: [process.execPath, '-e', 'console.log("RAN-" + 6 * 7)'] } }] }, { text: 'done' });
  const result = await runCli(['run', 'agents/runner.yaml', '--input', 'task=x', '--model', 'anthropic/claude-test'], { cwd: root, env: { ...simEnv(sim.url), PATH: path } });
  return { toolResult: toolResultText(sim.requests.slice(from)), code: result.code, root };
}

describe('without a usable backend', () => {
  test('detection names the package when bwrap is not on PATH', async () => {
    const result = await detectBubblewrap('/nonexistent');
    expect(result).toEqual({ available: false, reason: expect.stringContaining('bubblewrap is not installed') });
    expect(!result.available && result.reason).toContain('apt-get install bubblewrap');
  });

  test('bash is refused through the real CLI with one line naming bubblewrap; sandbox: off runs it', async () => {
    const refused = await runBashOnce(toolsYaml(''), nodeFolder);
    expect(refused.toolResult).toContain('Permission denied by bash.sandbox: no OS sandbox: bubblewrap is not installed');
    expect(refused.toolResult).not.toContain('RAN-42');
    const optedOut = await runBashOnce(toolsYaml(', sandbox: off'), nodeFolder);
    expect(optedOut.code).toBe(0);
    expect(optedOut.toolResult).toContain('RAN-42');
    await Promise.all([rm(refused.root, { recursive: true, force: true }), rm(optedOut.root, { recursive: true, force: true })]);
  });

  test.skipIf(!hasSandbox)('a bwrap that cannot create namespaces is reported as such, not as missing', () => {
    // The detection runs inside a sandbox of its own with every capability dropped and user
    // namespaces disabled: bubblewrap is installed there but can create no namespace, as on Ubuntu
    // 24.04 with AppArmor's restriction or in an unprivileged container.
    const detect = `import(${JSON.stringify(join(repoRoot, 'dist/sandbox/detect.js'))}).then((m) => m.detectBubblewrap(process.env.PATH)).then((r) => console.log(JSON.stringify(r.available ? { available: true } : r)))`;
    const bwrap = which('bwrap')!;
    const result = spawnSync(bwrap, ['--unshare-user', '--disable-userns', '--unshare-pid', '--cap-drop', 'ALL', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--', process.execPath, '-e', detect], {
      encoding: 'utf8',
      env: { PATH: `${nodeFolder}:/usr/bin:/bin` },
    });
    const answer = JSON.parse(result.stdout) as { available: boolean; reason?: string };
    expect(answer.available).toBe(false);
    expect(answer.reason).toContain('bubblewrap is installed but cannot create namespaces');
    expect(answer.reason).toContain('AppArmor');
  });
});

describe('sandbox: off is never quiet', () => {
  test('lint warns on it, and explain shows it in red', async () => {
    const root = await makeProject({ 'tools.yaml': toolsYaml(', sandbox: off'), 'agents/runner.yaml': agentYaml('runner', { tools: ['bash'] }) });
    const env = { ...simEnv(sim.url), PATH: `${nodeFolder}:/usr/bin:/bin` };
    const lint = await runCli(['lint'], { cwd: root, env });
    expect(lint.stdout + lint.stderr).toMatch(/tools\.yaml:\d+:\d+: warning: bash and command tools run without the OS sandbox/);
    const explain = await runCli(['explain', 'agents/runner.yaml'], { cwd: root, env: { ...env, FORCE_COLOR: '1' } });
    expect(explain.stdout).toContain('\u001b[31msandbox OFF\u001b[39m');
    const plain = await runCli(['explain', 'agents/runner.yaml'], { cwd: root, env: { ...env, NO_COLOR: '1' } });
    expect(plain.stdout).toContain('sandbox OFF');
    expect(plain.stdout).not.toContain('\u001b[');
    await rm(root, { recursive: true, force: true });
  });

  test.skipIf(!hasSandbox)('explain names the backend when the sandbox is on', async () => {
    const root = await makeProject({ 'tools.yaml': toolsYaml(''), 'agents/runner.yaml': agentYaml('runner', { tools: ['bash'] }) });
    const explain = await runCli(['explain', 'agents/runner.yaml'], { cwd: root, env: { ...simEnv(sim.url) } });
    expect(explain.stdout).toContain('sandbox auto');
    expect(explain.stdout).toMatch(/sandbox on this host: on \(bubblewrap \d/);
    await rm(root, { recursive: true, force: true });
  });
});
