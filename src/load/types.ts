// Output of the load stage: every config file read, parsed and env-interpolated, with a way back to
// source positions. Positions are computed lazily: the happy path never pays for them.

import type { Diagnostic } from '../errors.js';

export type FileKind = 'providers' | 'tools' | 'agent' | 'layer' | 'template' | 'test';

/** A path into a parsed YAML value, e.g. ['steps', 2, 'needs', 0]. */
export type ValuePath = ReadonlyArray<string | number>;

export interface Position {
  line: number;
  col: number;
}

export interface SourceFile {
  kind: FileKind;
  /** Path relative to the project root, with `/` separators (what users see in errors). */
  file: string;
  absPath: string;
  text: string;
  /** Parsed and env-interpolated value; `undefined` when the file could not be parsed. */
  value: unknown;
  /**
   * Where a value (or, with `key: true`, its mapping key) starts in the file. Falls back to the nearest
   * existing ancestor, then to 1:1, so it never throws.
   */
  locate(path: ValuePath, options?: { key?: boolean }): Position;
  /**
   * Where the `occurrence`-th (0-based) copy of `needle` is written inside the string value at
   * `path`: how a position inside a template (a `{{...}}`) becomes a file position, whatever the
   * scalar style. Undefined when the source spells it differently (escapes, line folding).
   */
  locateWithin(path: ValuePath, needle: string, occurrence: number): Position | undefined;
  /**
   * The string as written, before `${NAME}` interpolation, when the value at `path` was interpolated.
   * Diagnostics quote this, never the value: an env value may be a secret.
   */
  writtenAs?(path: ValuePath): string | undefined;
}

export interface RawProject {
  /** Absolute project root: the folder holding providers.yaml. */
  root: string;
  files: SourceFile[];
  /** Problems found while loading (syntax, size, alias bombs, duplicate keys, stray files). */
  diagnostics: Diagnostic[];
  /** The environment used for `${NAME}`: the caller's env plus `.env` (which never overrides). */
  env?: Readonly<Record<string, string | undefined>>;
  /** `${NAME}` references without a default whose variable is unset. */
  missingEnv?: MissingEnvVar[];
  /**
   * Config files found but not read (too large, unreadable, not text, a symlink out of the project):
   * `diagnostics` says why. They still exist, so references to them are not reported as unknown.
   */
  unloaded?: UnloadedFile[];
}

export interface UnloadedFile {
  kind: FileKind;
  file: string;
}

/** A `${NAME}` with no default whose variable is unset (validate reports them all at once). */
export interface MissingEnvVar {
  name: string;
  file: string;
  path: ValuePath;
}
