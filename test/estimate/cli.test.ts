// The four read-only verbs end to end: `node bin/agentpipe.js ...` on the example repo (built by the
// vitest global setup). No network: estimate, render, explain and models call no provider.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const keyNames = ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY', 'DEEPSEEK_API_KEY', 'LMSTUDIO_API_KEY'];

function agentpipe(args: string[], extraEnv: Record<string, string> = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !keyNames.includes(name)));
  const result = spawnSync(process.execPath, ['bin/agentpipe.js', ...args], { cwd: root, encoding: 'utf8', env: { ...env, ...extraEnv } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('agentpipe render', () => {
  it('prints the system and user messages, literal inputs and placeholders', () => {
    const result = agentpipe(['render', 'researcher', '--input', 'question={{inputs.secret}} now?']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^--- system ---\n/);
    expect(result.stdout).toContain('--- user ---\n{{inputs.secret}} now?\n');
  });

  it('annotates each part with its source under --explain', () => {
    const result = agentpipe(['render', 'agents/researcher.yaml', '--explain']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/--- system 1\/\d+: layer persona\/analyst \(agents\/layers\/persona\/analyst\.yaml:\d+, cacheable\) ---/);
    expect(result.stdout).toMatch(/--- user \(agents\/researcher\.yaml:\d+\) ---/);
  });

  it('exits 2 with one line for an unknown input name', () => {
    const result = agentpipe(['render', 'researcher', '--input', 'nope=1']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('unknown input "nope"');
  });
});

describe('agentpipe explain', () => {
  it('prints levels, chains with prices, permissions and search', () => {
    const result = agentpipe(['explain', 'templates/research-report.yaml']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/levels \(steps in one level run in parallel/);
    expect(result.stdout).toMatch(/1\. anthropic\/claude-sonnet-4-6: \$3 in \/ \$15 out per 1M/);
    expect(result.stdout).toMatch(/read: +allow /);
    expect(result.stdout).toMatch(/search: (auto|always|off)/);
  });

  it('prints the IR as JSON', () => {
    const result = agentpipe(['explain', 'templates/research-report.yaml', '--json']);
    expect(result.code).toBe(0);
    const pipeline = JSON.parse(result.stdout) as { kind: string; levels: string[][]; steps: unknown[] };
    expect(pipeline.kind).toBe('template');
    expect(pipeline.levels.flat()).toHaveLength(pipeline.steps.length);
  });
});

describe('agentpipe estimate', () => {
  it('prints ordered tiers as JSON', () => {
    const result = agentpipe(['estimate', 'templates/research-report.yaml', '--format', 'json', '--fanout', '2']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { totalUsd: { low: number; expected: number; worst: number }; steps: Array<{ items: number }> };
    expect(report.totalUsd.low).toBeLessThanOrEqual(report.totalUsd.expected);
    expect(report.totalUsd.expected).toBeLessThanOrEqual(report.totalUsd.worst);
    expect(report.steps.some((step) => step.items === 2)).toBe(true);
  });

  it('exits 3 when the worst case is over --max-cost, and 0 when the gate is generous', () => {
    const over = agentpipe(['estimate', 'templates/research-report.yaml', '--max-cost', '0.0001', '--format', 'markdown']);
    expect(over.code).toBe(3);
    expect(over.stdout).toContain('| step | agent | model |');
    expect(over.stdout).toContain('is OVER the --max-cost budget');
    expect(agentpipe(['estimate', 'templates/research-report.yaml', '--max-cost', '1000', '--gate', 'expected']).code).toBe(0);
  });

  it('exits 2 with one line for a non-numeric --max-cost, a bad --input or a bad --gate', () => {
    for (const args of [['--max-cost', 'cheap'], ['--input', 'nope=1'], ['--input', 'novalue'], ['--gate', 'median']]) {
      const result = agentpipe(['estimate', 'templates/research-report.yaml', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stdout).toBe('');
    }
  });
});

describe('agentpipe models', () => {
  it('says whether each key is set without printing it', () => {
    const secret = 'sk-ant-test-0123456789abcdef';
    const result = agentpipe(['models'], { ANTHROPIC_API_KEY: secret });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/anthropic +anthropic +ANTHROPIC_API_KEY set/);
    expect(result.stdout).toMatch(/OPENAI_API_KEY NOT set/);
    expect(result.stdout).toMatch(/anthropic\/claude-sonnet-4-6 +\$3 +\$15/);
    expect(result.stdout).not.toContain(secret);
    const json = JSON.parse(agentpipe(['models', '--json'], { ANTHROPIC_API_KEY: secret }).stdout) as { providers: Array<{ name: string; keySet: boolean | null }> };
    expect(json.providers.find((provider) => provider.name === 'anthropic')?.keySet).toBe(true);
  });
});
