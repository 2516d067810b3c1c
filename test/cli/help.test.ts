import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = (script: string, args: string[]) => spawnSync(process.execPath, [`${root}${script}`, ...args], { cwd: root, encoding: 'utf8' });

test('the --help snapshot served by the launcher equals the live CLI help and lists every verb', () => {
  const live = run('dist/cli/main.js', ['--help']);
  const launcher = run('bin/agentpipe.js', ['--help']);
  expect(launcher.status).toBe(0);
  expect(launcher.stdout).toBe(live.stdout);
  for (const verb of ['run', 'lint', 'estimate', 'render', 'explain', 'list', 'models', 'runs', 'schema', 'init']) {
    expect(live.stdout).toMatch(new RegExp(`\\n\\s+${verb}\\b`));
  }
});

test('an unknown verb is a usage error (exit 2) with no stack trace', () => {
  const result = run('bin/agentpipe.js', ['frobnicate']);
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('unknown command');
  expect(result.stderr).not.toMatch(/\n\s+at /);
});

test('a misspelt verb or option gets a did-you-mean and exit 2', () => {
  const verb = run('bin/agentpipe.js', ['lnt']);
  expect(verb.status).toBe(2);
  expect(verb.stderr).toContain('did you mean `lint`?');
  const option = run('bin/agentpipe.js', ['estimate', 'templates/code-review.yaml', '--inptu', 'x=1']);
  expect(option.status).toBe(2);
  expect(option.stderr).toContain('unknown option `--inptu` for `agentpipe estimate`, did you mean `--input`?');
  const negative = run('bin/agentpipe.js', ['estimate', 'templates/code-review.yaml', '--max-cost', '-1']);
  expect(negative.status).toBe(2);
  expect(negative.stderr).toContain('looks like a negative number');
  for (const result of [verb, option, negative]) expect(result.stderr).not.toMatch(/\n\s+at /);
});

test('flags in errors are shown as typed, not camelCased', () => {
  const result = run('bin/agentpipe.js', ['run', 'agents/planner.yaml', '--max-cost', '3']);
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('unknown option `--max-cost` for `agentpipe run`');
  expect(result.stderr).not.toMatch(/--[a-z]+[A-Z]/);
});

test('`agentpipe help <verb>` is the verb help: description, examples, exit codes', () => {
  const viaHelp = run('bin/agentpipe.js', ['help', 'run']);
  const viaFlag = run('bin/agentpipe.js', ['run', '--help']);
  expect(viaHelp.status).toBe(0);
  expect(viaHelp.stdout).toBe(viaFlag.stdout);
  expect(viaHelp.stdout).toContain('Run an agent or a template');
  expect(viaHelp.stdout).toContain('--dry-run');
  expect(viaHelp.stdout).toMatch(/Examples:\n(\s+\$ agentpipe run .*\n){2,3}/);
  expect(viaHelp.stdout).toMatch(/Exit codes:\n\s+0 /);
  for (const verb of ['lint', 'estimate', 'render', 'explain', 'list', 'models', 'runs', 'schema', 'init']) {
    const help = run('bin/agentpipe.js', ['help', verb]);
    expect(help.stdout, verb).toMatch(/Examples:\n/);
    expect(help.stdout, verb).toMatch(/Exit codes:\n/);
  }
  expect(run('bin/agentpipe.js', ['help']).stdout).toBe(run('bin/agentpipe.js', ['--help']).stdout);
  const unknown = run('bin/agentpipe.js', ['help', 'rnu']);
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toContain('did you mean `run`?');
});

test('every --format error has the same wording', () => {
  const lint = run('bin/agentpipe.js', ['lint', '--format', 'xml']);
  const estimate = run('bin/agentpipe.js', ['estimate', 'templates/code-review.yaml', '--format', 'xml']);
  for (const [result, formats] of [[lint, 'text, json, github, sarif'], [estimate, 'text, json, markdown']] as const) {
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`agentpipe: unknown --format \`xml\`; use one of ${formats}\n`);
  }
});

test('no option help claims a default of true (cac adds one to every --no-x flag)', () => {
  for (const verb of ['run', 'lint', 'estimate', 'render', 'explain', 'list', 'models', 'runs', 'schema', 'init', 'batch', 'serve', 'test', 'diff']) {
    const help = run('bin/agentpipe.js', ['help', verb]);
    expect(help.status, verb).toBe(0);
    expect(help.stdout, verb).not.toContain('(default: true)');
  }
});

test('an unknown option with no command is refused (exit 2, one line naming it), not answered with the help and exit 0', () => {
  for (const flag of ['--bogus', '-x', '--sk-ant-api03-0123456789abcdefghij']) {
    const result = run('bin/agentpipe.js', [flag]);
    expect(result.status, flag).toBe(2);
    expect(result.stdout, flag).toBe('');
    expect(result.stderr.trim().split('\n'), flag).toHaveLength(1);
    expect(result.stderr, flag).toMatch(/unknown option `-/);
    expect(result.stderr, flag).toContain('agentpipe --help');
    expect(result.stderr, flag).not.toContain('0123456789abcdefghij');
  }
});
