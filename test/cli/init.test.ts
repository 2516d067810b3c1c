// `agentpipe init`: the scaffold must pass its own CI workflow, and bad targets are usage errors.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/agentpipe.js', import.meta.url));
const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], OLLAMA_HOST: 'http://127.0.0.1:9' };
const agentpipe = (args: string[], cwd: string) => spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8', shell: false, timeout: 120_000 });

let parent: string;
let repo: string;
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'agentpipe-init-'));
  repo = join(parent, 'repo');
  expect(agentpipe(['init', repo], parent).status).toBe(0);
  // npm pack of the running agentpipe: seconds, more on a busy machine.
}, 120_000);
afterAll(async () => {
  await rm(parent, { recursive: true, force: true });
});

describe('agentpipe init', () => {
  it('writes a package.json pinning agentpipe and a .gitignore for keys and run state', async () => {
    const manifest = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    // Not on the npm registry yet: the agentpipe that ran init is packed into the scaffold.
    expect(manifest.devDependencies['agentpipe']).toMatch(/^file:vendor\/agentpipe-\d+\.\d+\.\d+\.tgz$/);
    const ignored = await readFile(join(repo, '.gitignore'), 'utf8');
    for (const entry of ['.env', '.agentpipe/']) expect(ignored.split('\n')).toContain(entry);
  });

  it('passes every agentpipe command of the CI workflow it writes', async () => {
    const workflow = await readFile(join(repo, '.github/workflows/agentpipe.yml'), 'utf8');
    // The check job's steps (`- run:`); the review job's `agentpipe diff` needs a pull request's base.
    const commands = [...workflow.matchAll(/- run: npx agentpipe (.+)$/gm)].map((match) => match[1]!.replace(/\s*>>.*$/, ''));
    // lint, estimate, test.
    expect(commands.map((command) => command.split(' ')[0])).toEqual(['lint', 'estimate', 'test']);
    const templates = (await readdir(join(repo, 'templates'))).filter((file) => file.endsWith('.yaml')).map((file) => `templates/${file}`);
    for (const command of commands) {
      // The shell would expand templates/*.yaml; do it here the same way.
      const args = command.split(/\s+/).flatMap((word) => (word === 'templates/*.yaml' ? templates : [word]));
      const result = agentpipe(args, repo);
      expect(result.stderr, command).not.toMatch(/error|over/i);
      expect(result.status, command).toBe(0);
    }
  });

  it('refuses to overwrite, and leaves an existing package.json alone', async () => {
    const other = join(parent, 'other');
    await rm(other, { recursive: true, force: true });
    // --from npm: no tarball to pack, the refusal is what is tested here.
    expect(agentpipe(['init', other, '--from', 'npm'], parent).status).toBe(0);
    const again = agentpipe(['init', other, '--from', 'npm'], parent);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('refusing to overwrite');

    const withManifest = join(parent, 'with-manifest');
    await rm(withManifest, { recursive: true, force: true });
    expect(agentpipe(['init', join(withManifest, 'sub'), '--from', 'npm'], parent).status).toBe(0);
    await writeFile(join(withManifest, 'package.json'), '{"name":"mine"}\n');
    const nested = agentpipe(['init', withManifest, '--json', '--from', 'npm'], parent);
    expect(nested.status).toBe(0);
    expect((JSON.parse(nested.stdout) as { created: string[] }).created).not.toContain('package.json');
    expect(await readFile(join(withManifest, 'package.json'), 'utf8')).toBe('{"name":"mine"}\n');
  });

  it.each([
    ['a path through a file', '/etc/passwd/repo', /a part of the path is a file/],
    ['a folder under /proc', '/proc/agentpipe-nope/x', /cannot create/],
  ])('turns %s into a one-line usage error', (_case, target, message) => {
    const result = agentpipe(['init', target], parent);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});

describe('agentpipe estimate over several files', () => {
  it('gates each file and prints a JSON array', () => {
    const result = agentpipe(['estimate', 'templates/code-review.yaml', 'templates/research-report.yaml', '--json', '--max-cost', '0.01'], repo);
    expect(result.status).toBe(3);
    const reports = JSON.parse(result.stdout) as Array<{ name: string }>;
    expect(reports.map((report) => report.name)).toEqual(['code-review', 'research-report']);
    expect(result.stderr).toContain('templates/code-review.yaml: worst cost');
    expect(result.stderr).toContain('templates/research-report.yaml: worst cost');
  });
});
