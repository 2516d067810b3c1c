// Collects every compile problem before failing, so one `lint` shows them all (STYLE.md 7).

import { ConfigError, type Diagnostic } from '../errors.js';
import type { SourceFile, ValuePath } from '../load/types.js';
import { redactDiagnostic } from '../secrets.js';
import { mustacheAt } from '../prompt-language/positions.js';
import type { TemplatePosition } from '../prompt-language/scan.js';
import type { SourceRef } from './ir.js';

export class CompileDiagnostics {
  readonly list: Diagnostic[] = [];

  error(source: SourceFile, path: ValuePath, code: string, message: string, fix?: string): void {
    const position = source.locate(path);
    this.push({ severity: 'error', code, file: source.file, line: position.line, col: position.col, message, ...(fix ? { fix } : {}) });
  }

  /**
   * At a position inside a template value that starts at `base` (template lines are 1-based): the
   * `{{` of the mustache there, found in the file whatever the scalar style. 1:1 means the whole value.
   */
  errorInTemplate(base: SourceRef, at: TemplatePosition, code: string, message: string, fix?: string): void {
    const position = at.line === 1 && at.col === 1 ? { line: base.line, col: base.col ?? 1 } : (exactPosition(base, at) ?? approximatePosition(base, at));
    this.push({ severity: 'error', code, file: base.file, ...position, message, ...(fix ? { fix } : {}) });
  }

  /** Messages quote config values: none may echo a key pasted in the wrong place (as in lint). */
  private push(diagnostic: Diagnostic): void {
    this.list.push(redactDiagnostic(diagnostic));
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
  // Located on first read: finding a position re-parses the file with `yaml`, and most references
  // are never read (a run, an estimate or a diff of a thousand agents reads few or none).
  let position: { line: number; col?: number } | undefined;
  const resolve = (): { line: number; col?: number } => {
    if (position) return position;
    const found = source.locate(path);
    const line = source.text.split('\n', found.line)[found.line - 1] ?? '';
    const rest = line.slice(found.col - 1).trimStart();
    const blockScalar = /^[|>][-+0-9]*\s*(#.*)?$/.test(rest);
    position = blockScalar ? { line: found.line + 1 } : { line: found.line, col: found.col };
    return position;
  };
  const reference = { file: source.file } as SourceRef;
  Object.defineProperties(reference, {
    line: { get: () => resolve().line, enumerable: true },
    // Absent (undefined, so not printed in JSON) for a block scalar, whose text starts on its own line.
    col: { get: () => resolve().col, enumerable: true },
  });
  origins.set(reference, { source, path });
  return reference;
}

// Where each SourceRef made here came from, so that errorInTemplate can find a position inside the
// value in the file (SourceRef itself is plain IR data and stays so).
const origins = new WeakMap<SourceRef, { source: SourceFile; path: ValuePath }>();

function exactPosition(base: SourceRef, at: TemplatePosition): { line: number; col: number } | undefined {
  const origin = origins.get(base);
  if (!origin) return undefined;
  let text: unknown = origin.source.value;
  for (const segment of origin.path) text = text !== null && typeof text === 'object' ? (text as Record<string | number, unknown>)[segment] : undefined;
  if (typeof text !== 'string') return undefined;
  const mustache = mustacheAt(text, at);
  return mustache && origin.source.locateWithin(origin.path, mustache.text, mustache.occurrence);
}

/** Line arithmetic from the value's start, for a mustache the file spells differently (escapes). */
function approximatePosition(base: SourceRef, at: TemplatePosition): { line: number; col: number } {
  return { line: base.line + at.line - 1, col: at.line === 1 ? (base.col ?? 1) + at.col - 1 : at.col };
}
