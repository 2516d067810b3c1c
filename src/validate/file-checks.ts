// Checks on a file's raw text: literal secrets (before env interpolation, so a `${KEY}` that expands
// to a real key is not flagged) and the `# yaml-language-server: $schema=` line editors need.

import path from 'node:path';
import type { Diagnostic } from '../errors.js';
import type { SourceFile } from '../load/types.js';
import { findSecrets } from '../secrets.js';

function positionOf(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, col: offset - lineStart + 1 };
}

export function checkSecrets(source: SourceFile): Diagnostic[] {
  return findSecrets(source.text).map(({ index, label }) => ({
    severity: 'error', code: 'secrets/literal', file: source.file, ...positionOf(source.text, index),
    message: `this looks like a literal ${label.includes('PRIVATE KEY') ? 'private key' : 'API key'} (${label}…); keys must never be written in config files`,
    fix: 'put it in an env var and use api_key_env (or ${NAME}); then rotate the key, since it was committed',
  }));
}

const schemaLine = /^#\s*yaml-language-server:\s*\$schema=(\S+)/m;

const expectedCache = new Map<string, string>();

/** `../schemas/agent.schema.json` from agents/, computed once per folder and kind. */
function expectedTarget(source: SourceFile, root: string): string {
  const folder = path.dirname(source.absPath);
  const cacheKey = `${folder}\0${source.kind}`;
  let expected = expectedCache.get(cacheKey);
  if (expected === undefined) {
    expected = path.relative(folder, path.join(root, 'schemas', `${source.kind}.schema.json`)).split(path.sep).join('/');
    expectedCache.set(cacheKey, expected);
  }
  return expected;
}

/** The `$schema=` comment must be in the leading comment block and point at this kind's schema. */
export function checkSchemaComment(source: SourceFile, root: string): Diagnostic[] {
  const target = schemaLine.exec(source.text.slice(0, 2000))?.[1];
  const leading = target === undefined ? '' : (/^(?:[ \t]*(?:#[^\n]*)?\n)*/.exec(source.text)?.[0] ?? '');
  const expected = expectedTarget(source, root);
  // The usual case, a line as `agentpipe init` writes it, needs no path arithmetic.
  if (target !== undefined && (target === expected || target === `./${expected}`) && leading.includes(target)) return [];
  const warn = (message: string, at = 1): Diagnostic => {
    const line = `# yaml-language-server: $schema=${expected.startsWith('.') ? expected : `./${expected}`}`;
    return { severity: 'warning', code: 'style/schema-comment', file: source.file, line: at, col: 1, message, fix: `make the first line \`${line}\`` };
  };
  if (target === undefined || !leading.includes(target)) return [warn(`missing the \`# yaml-language-server: $schema=\` line, so editors cannot check this ${source.kind} file`)];
  const at = leading.slice(0, leading.indexOf(target)).split('\n').length;
  if (path.posix.basename(target) !== `${source.kind}.schema.json`) return [warn(`the $schema line points at \`${target}\`, which is not the ${source.kind} schema`, at)];
  const isUrl = /^[a-z]+:\/\//.test(target);
  if (!isUrl && path.posix.normalize(target) !== path.posix.normalize(expected)) return [warn(`the $schema line points at \`${target}\`, which is not where schemas/${source.kind}.schema.json is from here`, at)];
  return [];
}
