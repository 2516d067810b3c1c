// Typed errors shared by every stage. The CLI maps `exitCode` to process.exit; nothing else exits.

/** Documented exit codes (DESIGN.md, CLI). */
export const ExitCode = {
  ok: 0,
  runFailed: 1,
  invalidConfig: 2,
  overBudget: 3,
  /** `diff --fail-on widen` found a permission widening. */
  widening: 4,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type Severity = 'error' | 'warning';

/** One finding about a user's file, always positioned so editors and CI can point at it. */
export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable id, e.g. `schema/unknown-key`, `ref/agent`, `yaml/syntax`. */
  code: string;
  /** Path relative to the project root (or as given on the command line). */
  file: string;
  /** 1-based line and column; 1:1 when the problem is the whole file. */
  line: number;
  col: number;
  /** One line a person understands. */
  message: string;
  /** How to fix it, when we know. */
  fix?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const fix = d.fix ? ` (fix: ${d.fix})` : '';
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}${fix}`;
}

/** Base class: every error we throw on purpose. Anything else reaching the CLI is a bug. */
export class AgentpipeError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Invalid config or usage: exit 2. Carries every diagnostic found, not just the first. */
export class ConfigError extends AgentpipeError {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[], message?: string) {
    super(message ?? diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic).join('\n'), ExitCode.invalidConfig);
    this.diagnostics = diagnostics;
  }
}

/** Bad command-line usage (unknown --input name, non-numeric --max-cost): exit 2. */
export class UsageError extends AgentpipeError {
  constructor(message: string) {
    super(message, ExitCode.invalidConfig);
  }
}

/** A budget was exhausted: exit 3, state saved. */
export class BudgetExceededError extends AgentpipeError {
  constructor(message: string, readonly spentUsd: number, readonly limitUsd: number) {
    super(message, ExitCode.overBudget);
  }
}

/** Ctrl-C / SIGTERM: exit 130, state saved. */
export class InterruptedError extends AgentpipeError {
  constructor(message = 'interrupted; run state saved') {
    super(message, ExitCode.interrupted);
  }
}

/** The run itself failed (a step failed, no provider reachable): exit 1. */
export class RunFailedError extends AgentpipeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.runFailed, options);
  }
}
