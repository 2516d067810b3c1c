// Collects every compile problem before failing, so one `lint` shows them all (STYLE.md 7).

import { ConfigError, type Diagnostic } from '../errors.js';
import type { SourceFile, ValuePath } from '../load/types.js';
import type { SourceRef } from './ir.js';

export class CompileDiagnostics {
  readonly list: Diagnostic[] = [];

  error(source: SourceFile, path: ValuePath, code: string, message: string, fix?: string): void {
    const position = source.locate(path);
    this.list.push({ severity: 'error', code, file: source.file, line: position.line, col: position.col, message, ...(fix ? { fix } : {}) });
  }

  /** At a position inside a template value that starts at `base` (template lines are 1-based). */
  errorInTemplate(base: SourceRef, at: { line: number; col: number }, code: string, message: string, fix?: string): void {
    const line = base.line + at.line - 1;
    const col = at.line === 1 ? (base.col ?? 1) + at.col - 1 : at.col;
    this.list.push({ severity: 'error', code, file: base.file, line, col, message, ...(fix ? { fix } : {}) });
  }

  /** Throws a ConfigError carrying every error so far. */
  throwIfAny(): void {
    if (this.list.some((diagnostic) => diagnostic.severity === 'error')) throw new ConfigError(this.list);
  }
}

/**
 * Source reference of a value. For a block scalar (`text: |`) the position points at the `|`, so
 * the reference moves to the next line, where the text itself starts.
 */
export function sourceRef(source: SourceFile, path: ValuePath): SourceRef {
  const position = source.locate(path);
  const line = source.text.split('\n', position.line)[position.line - 1] ?? '';
  const rest = line.slice(position.col - 1).trimStart();
  const blockScalar = /^[|>][-+0-9]*\s*(#.*)?$/.test(rest);
  return blockScalar ? { file: source.file, line: position.line + 1 } : { file: source.file, line: position.line, col: position.col };
}
