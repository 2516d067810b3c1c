// The broken corpus: test/fixtures/broken/<case>/ holds the files that differ from the valid base
// project (test/fixtures/base/) plus `expected.txt`, the diagnostics lint must print for it.

import { cp, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic } from '../../src/errors.js';
import { loadProject } from '../../src/load/index.js';
import { validateProject } from '../../src/validate/index.js';

export const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export async function caseNames(): Promise<string[]> {
  return (await readdir(path.join(fixtures, 'broken'))).sort();
}

/** A temp project: the base, with the case's files laid over it. */
export async function materialize(caseName?: string): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), `agentpipe-${caseName ?? 'base'}-`));
  await cp(path.join(fixtures, 'base'), root, { recursive: true });
  if (caseName !== undefined) {
    await cp(path.join(fixtures, 'broken', caseName), root, { recursive: true, filter: (source) => path.basename(source) !== 'expected.txt' });
  }
  return root;
}

/** Lint output lines for a project, as the library reports them (no env: ${VAR} defaults apply). */
export async function lintLines(root: string, mode: 'lint' | 'run' = 'lint'): Promise<string[]> {
  const raw = await loadProject({ cwd: root, env: {} });
  const result = await validateProject(raw, { mode });
  return result.diagnostics.map(formatDiagnostic);
}
