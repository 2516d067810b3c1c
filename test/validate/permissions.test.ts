import { expect, test } from 'vitest';
import { patternWithin } from '../../src/validate/permissions-check.js';

test.each([
  ['docs/**', '**', 'path', true],
  ['docs/api/**', 'docs/**', 'path', true],
  ['docs/readme.md', 'docs/**', 'path', true],
  ['docs/*.md', 'docs/**', 'path', true],
  ['src/**', 'docs/**', 'path', false],
  ['docs2/**', 'docs/**', 'path', false],
  ['**/*.md', 'docs/**', 'path', false],
  ['docs/**', 'docs/*.md', 'path', false],
  ['git status', 'git status', 'wildcard', true],
  ['git diff --stat', 'git diff *', 'wildcard', true],
  ['git diff src/*', 'git diff *', 'wildcard', true],
  ['git push *', 'git diff *', 'wildcard', false],
  ['*', 'ls *', 'wildcard', false],
  ['en.wikipedia.org', '*.wikipedia.org', 'wildcard', true],
  ['*.en.wikipedia.org', '*.wikipedia.org', 'wildcard', true],
  ['*.org', '*.wikipedia.org', 'wildcard', false],
] as const)('%s within %s (%s): %s', (pattern, within, family, expected) => {
  expect(patternWithin(pattern, within, family)).toBe(expected);
});
