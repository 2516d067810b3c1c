// Dispatch on `version:` before anything else (STYLE.md: one frozen schema set per version). Only
// version 1 exists; a file written for a later version gets one clear error instead of a cascade of
// schema errors about keys this agentpipe has never heard of.

import type { Diagnostic } from '../errors.js';
import type { SourceFile } from '../load/types.js';

export const supportedVersions: readonly number[] = [1];

export function unsupportedVersion(source: SourceFile): Diagnostic | undefined {
  const value = source.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const version = (value as Record<string, unknown>)['version'];
  // Wrong types and missing versions are the schema's to report, with its usual message.
  if (typeof version !== 'number' || !Number.isInteger(version) || supportedVersions.includes(version)) return undefined;
  const { line, col } = source.locate(['version']);
  const newer = version > Math.max(...supportedVersions);
  return {
    severity: 'error',
    code: 'schema/version',
    file: source.file,
    line,
    col,
    message: `this file is written in config language version ${version}, but this agentpipe reads version ${supportedVersions.join(', ')} only`,
    fix: newer ? 'upgrade agentpipe, or write the file for `version: 1`' : 'set `version: 1`',
  };
}
