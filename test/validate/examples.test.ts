import { describe, expect, test } from 'vitest';
import { formatDiagnostic } from '../../src/errors.js';
import { loadProject } from '../../src/load/index.js';
import { schemaErrors } from '../../src/validate/schema-validators.js';
import { validateProject, validateProjectOrThrow } from '../../src/validate/index.js';
import { lintLines, materialize, repoRoot } from '../lint/corpus.js';

describe('the example repo', () => {
  test('every example file passes its schema', async () => {
    const raw = await loadProject({ cwd: repoRoot, env: {} });
    expect(raw.files.length).toBeGreaterThan(10);
    for (const file of raw.files) expect(schemaErrors(file.kind, file.value), file.file).toEqual([]);
  });

  test('validates with no diagnostics at all, and yields a ProjectConfig', async () => {
    const result = await validateProject(await loadProject({ cwd: repoRoot, env: {} }));
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(result.config?.agents.has('researcher')).toBe(true);
    expect(result.config?.layers.has('persona/analyst')).toBe(true);
  });
});

describe('validateProject modes', () => {
  test('unset env vars are warnings in lint mode and errors in run mode', async () => {
    const root = await materialize('unset-env-var');
    expect((await lintLines(root, 'lint')).every((line) => line.includes(': warning: '))).toBe(true);
    const run = await lintLines(root, 'run');
    expect(run).toHaveLength(2);
    expect(run.every((line) => line.includes(': error: ') && line.includes('AGENTPIPE_TEST_UNSET_HOST, AGENTPIPE_TEST_UNSET_LAN'))).toBe(true);
  });

  test('validateProjectOrThrow throws a ConfigError carrying every diagnostic (exit 2)', async () => {
    const raw = await loadProject({ cwd: await materialize('widened-limits'), env: {} });
    await expect(validateProjectOrThrow(raw)).rejects.toMatchObject({ name: 'ConfigError', exitCode: 2, diagnostics: expect.arrayContaining([expect.objectContaining({ code: 'permissions/widen' })]) });
  });
});
