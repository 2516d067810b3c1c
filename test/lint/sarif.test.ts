// SARIF from `agentpipe lint --format sarif` validates against the official OASIS SARIF 2.1.0 schema
// (vendored verbatim from oasis-tcs/sarif-spec, sarif-2.1/schema/) for a git repository whose config
// lives in a subfolder and holds ten files with odd names; paths are relative to the git root, for
// SARIF and for --format github alike.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixtures, materialize, repoRoot } from './corpus.js';
import { encodePath } from '../../src/cli/format/sarif.js';

const bin = path.join(repoRoot, 'bin/agentpipe.js');
const require = createRequire(import.meta.url);

const oddNames = ['a b', 'c,d', '50%', 'a#b', 'why?', 'café', '日本語', 'x[1]', 'semi;colon', 'plus+&=sign'];

let repo: string;
beforeAll(async () => {
  repo = await mkdtemp(path.join(tmpdir(), 'agentpipe-sarif-'));
  execFileSync('git', ['init', '-q', repo]);
  const config = await materialize();
  await rm(path.join(repo, 'config'), { recursive: true, force: true });
  execFileSync('cp', ['-r', config, path.join(repo, 'config')]);
  await mkdir(path.join(repo, 'config', 'agents'), { recursive: true });
  // Each agent has an unknown key (an error with a position) and a name that is not its file name.
  for (const name of oddNames)
    await writeFile(path.join(repo, 'config', 'agents', `${name}.yaml`), `version: 1\nname: odd\nmodle: x\nprompt: { user: hi }\n`);
});
afterAll(() => rm(repo, { recursive: true, force: true }));

function lint(format: string, cwd: string) {
  return spawnSync(process.execPath, [bin, 'lint', '--format', format], { cwd, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
}

type SarifLog = {
  runs: Array<{
    columnKind: string;
    tool: { driver: { rules: Array<{ id: string; shortDescription: { text: string }; help: { text: string } }> } };
    results: Array<{ ruleId: string; locations?: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number } } }> }>;
  }>;
};

async function officialValidator() {
  const { default: Ajv04 } = (await import('ajv-draft-04')) as unknown as { default: new (options: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown } } };
  const addFormats = require('ajv-formats') as (ajv: unknown) => void;
  const ajv = new Ajv04({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(await readFile(path.join(fixtures, 'sarif', 'sarif-schema-2.1.0.json'), 'utf8')) as object);
}

describe('SARIF 2.1.0', () => {
  test('validates against the OASIS schema, with encoded URIs relative to the git root and rule metadata', async () => {
    const result = lint('sarif', path.join(repo, 'config'));
    expect(result.status).toBe(2);
    const log = JSON.parse(result.stdout) as SarifLog;
    const validate = await officialValidator();
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const run = log.runs[0]!;
    expect(run.columnKind).toBe('utf16CodeUnits');
    for (const rule of run.tool.driver.rules) {
      expect(rule.shortDescription.text.length).toBeGreaterThan(5);
      expect(rule.help.text.length).toBeGreaterThan(5);
    }
    const uris = new Set(run.results.flatMap((item) => item.locations ?? []).map((location) => location.physicalLocation.artifactLocation));
    for (const name of oddNames) {
      const expected = `config/agents/${name}.yaml`;
      const found = [...uris].find((location) => decodeURIComponent(location.uri) === expected);
      expect(found, name).toBeDefined();
      expect(found?.uriBaseId).toBe('SRCROOT');
      // A URI reference that resolves to the file itself: `#` and `?` do not cut it short.
      expect(new URL(found!.uri, 'file:///repo/').pathname).toBe(`/repo/${encodePath(expected)}`);
      expect(found!.uri).not.toMatch(/[ #?%,\u0080-\uffff](?![0-9A-F]{2})/u);
    }
  });

  test('a result about a missing file has no location rather than a made-up one', async () => {
    const root = await materialize();
    await rm(path.join(root, 'tools.yaml'));
    const log = JSON.parse(lint('sarif', root).stdout) as SarifLog;
    const missing = log.runs[0]!.results.find((item) => item.ruleId === 'load/missing-file');
    expect(missing).toBeDefined();
    expect(missing?.locations).toBeUndefined();
    expect((await officialValidator())(log)).toBe(true);
  });

  test('--format github names files relative to the git root', () => {
    const result = lint('github', path.join(repo, 'config'));
    expect(result.stdout).toContain('file=config/agents/a b.yaml,line=3');
    expect(result.stdout).toContain('file=config/agents/c%2Cd.yaml,line=3');
  });
});
