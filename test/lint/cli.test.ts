import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { caseNames, fixtures, materialize, repoRoot } from './corpus.js';

const bin = path.join(repoRoot, 'bin/agentpipe.js');

function agentpipe(args: string[], cwd: string, extra: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [...extra, bin, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const noStack = (stderr: string): void => expect(stderr).not.toMatch(/^ {4}at /m);

describe('agentpipe lint (spawned)', () => {
  test('the example repo lints clean: exit 0', () => {
    const result = agentpipe(['lint'], repoRoot);
    expect(result.stdout).toMatch(/^no problems in \d+ files$/m);
    expect(result.status).toBe(0);
  });

  test('the base fixture lints clean from a nested folder', async () => {
    const root = await materialize();
    const result = agentpipe(['lint'], path.join(root, 'agents/layers'));
    expect(result.stdout).toBe('no problems in 5 files\n');
    expect(result.status).toBe(0);
  });

  test('every broken case: exit 2 (or 0 for warnings only), the golden lines, no stack trace', async () => {
    for (const name of await caseNames()) {
      const expected = (await readFile(path.join(fixtures, 'broken', name, 'expected.txt'), 'utf8')).trimEnd().split('\n');
      const result = agentpipe(['lint'], await materialize(name));
      noStack(result.stderr);
      expect(result.stdout.trimEnd().split('\n').slice(0, -1), name).toEqual(expected);
      expect(result.status, name).toBe(expected.some((line) => line.includes(': error: ')) ? 2 : 0);
    }
    // One process per case, one after another, on a shared 2-core machine: a generous bound.
  }, 180_000);

  test('--strict fails on warnings alone', async () => {
    const root = await materialize('unused-input');
    expect(agentpipe(['lint'], root).status).toBe(0);
    expect(agentpipe(['lint', '--strict'], root).status).toBe(2);
  });

  test('--format github prints workflow commands with file, line and col', async () => {
    const result = agentpipe(['lint', '--format', 'github'], await materialize('unknown-key-suggestion'));
    expect(result.stdout).toContain('::error file=agents/helper.yaml,line=4,col=1,title=schema/unknown-key::unknown key `modle`, did you mean `model`?');
    expect(result.status).toBe(2);
  });

  test('no format echoes a key pasted where a value is checked: only its prefix is shown', async () => {
    const root = await materialize('key-echoed-by-schema-error');
    for (const format of ['text', 'json', 'github', 'sarif']) {
      const result = agentpipe(['lint', '--format', format], root);
      expect(result.stdout, format).toContain('sk-ant-…');
      expect(result.stdout + result.stderr, format).not.toContain('sk-ant-api03');
      expect(result.status, format).toBe(2);
    }
  });

  test('--format sarif prints SARIF 2.1.0', async () => {
    const result = agentpipe(['lint', '--format', 'sarif'], await materialize('cycle-in-needs'));
    const sarif = JSON.parse(result.stdout) as { version: string; runs: Array<{ results: Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation: { region: { startLine: number } } }> }> }> };
    expect(sarif.version).toBe('2.1.0');
    const [first] = sarif.runs[0]?.results ?? [];
    expect(first?.ruleId).toBe('steps/cycle');
    expect(first?.locations[0]?.physicalLocation.region.startLine).toBe(7);
  });

  test('--format json and an unknown --format', async () => {
    const root = await materialize('dangling-tool');
    const json = JSON.parse(agentpipe(['lint', '--format', 'json'], root).stdout) as { errors: number; diagnostics: Array<{ code: string }> };
    expect(json.errors).toBe(1);
    expect(json.diagnostics[0]?.code).toBe('ref/tool');
    const bad = agentpipe(['lint', '--format', 'xml'], root);
    expect(bad.stderr).toContain('unknown --format `xml`');
    expect(bad.status).toBe(2);
  });

  test('a 5 MB file is refused without being read', async () => {
    const root = await materialize();
    await writeFile(path.join(root, 'agents/huge.yaml'), `version: 1\ntext: "${'x'.repeat(5 * 1024 * 1024)}"\n`);
    const result = agentpipe(['lint'], root);
    expect(result.stdout).toContain('agents/huge.yaml:1:1: error: file is 5.0 MB; config files may be at most 1 MB');
    expect(result.status).toBe(2);
    noStack(result.stderr);
  });

  test('paths narrow what is reported and counted; the whole project is still loaded for references', async () => {
    const root = await materialize('dangling-tool');
    const templates = agentpipe(['lint', 'templates'], root);
    expect([templates.stdout, templates.status]).toEqual(['no problems in 1 file\n', 0]);
    const helper = agentpipe(['lint', 'agents/helper.yaml'], root);
    expect(helper.stdout).toMatch(/^agents\/helper\.yaml:\d+:\d+: error: unknown tool `.*\n1 error, 0 warnings in 1 file\n$/);
    expect(helper.status).toBe(2);
    // The layer's agent is checked in the layer's scope, so selecting the layer alone still needs the agent loaded.
    expect(agentpipe(['lint', 'layers'], path.join(root, 'agents')).stdout).toBe('no problems in 1 file\n');
  });

  test('a path that does not exist, or holds no config file, is a usage error: one line, exit 2', async () => {
    const root = await materialize();
    for (const [args, message] of [[['nope.yaml'], 'no such file or folder: nope.yaml'], [['agents', 'nope/'], 'no such file or folder: nope/'], [['tools.yaml', '../'], `../ is outside the project at ${root}`]] as const) {
      const result = agentpipe(['lint', ...args], root);
      expect(result.stdout, args.join(' ')).toBe('');
      expect(result.stderr, args.join(' ')).toBe(`agentpipe: ${message}\n`);
      expect(result.status, args.join(' ')).toBe(2);
    }
  });

  test('unset env vars: read-only verbs run; a run is refused only for those its target uses', async () => {
    const root = await materialize('unset-env-var');
    const onlyAnthropic = ['--model', 'anthropic/claude-sonnet-4-5'];
    for (const args of [['explain', 'agents/helper.yaml'], ['estimate', 'agents/helper.yaml'], ['render', 'agents/helper.yaml'], ['run', 'agents/helper.yaml', '--dry-run', ...onlyAnthropic, '--input', 'question=x']]) {
      const result = agentpipe(args, root);
      expect(result.status, args.join(' ')).toBe(0);
      noStack(result.stderr);
    }
    // The default route falls back to ollama, whose host is unset; nothing uses the `lan` provider.
    const fallback = agentpipe(['run', 'agents/helper.yaml', '--input', 'question=x'], root);
    expect(fallback.stderr).toContain('providers.yaml:5:37: error: ${AGENTPIPE_TEST_UNSET_HOST} is not set and has no default, and the run uses provider `ollama`');
    expect(fallback.stderr).toContain('providers.yaml:6:45: warning: ${AGENTPIPE_TEST_UNSET_LAN}');
    expect(fallback.status).toBe(2);
    // A dry run calls nothing, so the same unset variable does not stop it.
    const dryRun = agentpipe(['run', 'agents/helper.yaml', '--dry-run', '--input', 'question=x'], root);
    expect(dryRun.status).toBe(0);
    noStack(dryRun.stderr);
  });

  test('no providers.yaml anywhere above: exit 2 with a fix', async () => {
    const result = agentpipe(['lint'], await mkdtemp(path.join(tmpdir(), 'agentpipe-empty-')));
    expect(result.stdout).toContain('error: no providers.yaml in');
    expect(result.status).toBe(2);
  });
});

describe('--help, schema, list, init (spawned)', () => {
  test('--help loads neither ajv, the validators, js-yaml nor yaml', async () => {
    const hook = path.join(await mkdtemp(path.join(tmpdir(), 'agentpipe-hook-')), 'hook.mjs');
    await writeFile(hook, `import { registerHooks } from 'node:module';\nregisterHooks({ resolve(specifier, context, next) { const result = next(specifier, context); process.stderr.write('LOADED ' + result.url + '\\n'); return result; } });\n`);
    // `run --help` goes through the whole CLI (a bare --help is served from the build's snapshot).
    const result = agentpipe(['run', '--help'], repoRoot, ['--import', hook]);
    expect(result.stdout).toContain('$ agentpipe run');
    expect(result.stderr).toContain('dist/cli/main.js');
    expect(result.stderr).not.toMatch(/node_modules\/(ajv|js-yaml|yaml|handlebars)\/|generated\/validators/);
  });

  test('a clean lint never loads `yaml` or Handlebars: positions and the full parser are for reported problems only', async () => {
    const hook = path.join(await mkdtemp(path.join(tmpdir(), 'agentpipe-hook-')), 'hook.mjs');
    await writeFile(hook, `import { registerHooks } from 'node:module';\nregisterHooks({ resolve(specifier, context, next) { const result = next(specifier, context); process.stderr.write('LOADED ' + result.url + '\\n'); return result; } });\n`);
    const result = agentpipe(['lint'], await materialize(), ['--import', hook]);
    expect(result.stdout).toBe('no problems in 5 files\n');
    expect(result.stderr).toContain('node_modules/js-yaml/');
    expect(result.stderr).not.toMatch(/node_modules\/(yaml|handlebars)\//);
  });

  test('schema prints all kinds, or one; an unknown kind exits 2', () => {
    const all = JSON.parse(agentpipe(['schema'], repoRoot).stdout) as Record<string, { $id: string }>;
    expect(Object.keys(all).sort()).toEqual(['agent', 'common', 'layer', 'providers', 'stats', 'template', 'test', 'tools']);
    expect((JSON.parse(agentpipe(['schema', 'stats'], repoRoot).stdout) as { $id: string }).$id).toBe('stats.schema.json');
    expect((JSON.parse(agentpipe(['schema', 'agent'], repoRoot).stdout) as { $id: string }).$id).toBe('agent.schema.json');
    expect(agentpipe(['schema', 'nope'], repoRoot).status).toBe(2);
  });

  test('list --json lists agents, templates, routes and models', () => {
    const listing = JSON.parse(agentpipe(['list', '--json'], repoRoot).stdout) as { agents: Array<{ name: string }>; routes: Record<string, string[]>; models: Array<{ id: string }> };
    expect(listing.agents.map((agent) => agent.name)).toContain('researcher');
    expect(Object.keys(listing.routes)).toContain('default');
    expect(listing.models.length).toBeGreaterThan(0);
  });

  test('init scaffolds a repo that lints clean, and refuses to overwrite', async () => {
    const target = path.join(await mkdtemp(path.join(tmpdir(), 'agentpipe-init-')), 'repo');
    expect(agentpipe(['init', target], repoRoot).status).toBe(0);
    expect(await readFile(path.join(target, '.github/workflows/agentpipe.yml'), 'utf8')).toContain('npx agentpipe lint --format github');
    const lint = agentpipe(['lint'], target);
    expect(lint.stdout).toMatch(/^no problems/m);
    const again = agentpipe(['init', target], repoRoot);
    expect(again.stderr).toContain('refusing to overwrite');
    expect(again.status).toBe(2);
  });
});
