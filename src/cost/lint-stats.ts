// Lint of the committed calibration file (.agentpipe-stats.json) against schemas/stats.schema.json.
// Only read when the file exists, so a project without one pays nothing.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Diagnostic } from '../errors.js';
import { statsFileName } from './stats.js';

export async function lintStatsFile(root: string): Promise<Diagnostic[]> {
  const text = await readFile(join(root, statsFileName), 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  const at = (message: string, fix: string): Diagnostic => ({ severity: 'error', code: 'stats/schema', file: statsFileName, line: 1, col: 1, message, fix });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return [at(`not valid JSON: ${error instanceof Error ? error.message : String(error)}`, 'write it again with `agentpipe runs stats --export`')];
  }
  const [{ Ajv2020 }, { readSchema }] = await Promise.all([import('ajv/dist/2020.js'), import('../validate/schema-files.js')]);
  const validate = new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(readSchema('stats.schema.json'));
  if (validate(value)) return [];
  return (validate.errors ?? []).slice(0, 10).map((error) => at(`${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}`, 'write it again with `agentpipe runs stats --export`; it holds counts only (schemas/stats.schema.json)'));
}
