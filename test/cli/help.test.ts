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
