import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { repoRoot } from '../lint/corpus.js';

test('types.gen.ts and generated/validators.ts match what scripts/gen.mjs produces from schemas/', () => {
  const result = spawnSync(process.execPath, ['scripts/gen.mjs', '--check'], { cwd: repoRoot, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
});
