// Diagnostics as text (people), JSON (scripts), GitHub workflow commands (annotations on a PR) and
// SARIF 2.1.0 (code scanning).

import { formatDiagnostic, type Diagnostic } from '../../errors.js';

export const diagnosticFormats = ['text', 'json', 'github', 'sarif'] as const;
export type DiagnosticFormat = (typeof diagnosticFormats)[number];

export function countBySeverity(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
  return { errors, warnings: diagnostics.length - errors };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function formatText(diagnostics: readonly Diagnostic[], fileCount: number): string {
  const { errors, warnings } = countBySeverity(diagnostics);
  const lines = diagnostics.map(formatDiagnostic);
  lines.push(diagnostics.length === 0 ? `no problems in ${plural(fileCount, 'file')}` : `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(fileCount, 'file')}`);
  return `${lines.join('\n')}\n`;
}

export function formatJson(diagnostics: readonly Diagnostic[]): string {
  return `${JSON.stringify({ ...countBySeverity(diagnostics), diagnostics }, null, 2)}\n`;
}

// https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions
const escapeData = (text: string): string => text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
const escapeProperty = (text: string): string => escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');

/** `toRepoPath`: GitHub resolves `file=` against the repository root, not the config folder. */
export function formatGithub(diagnostics: readonly Diagnostic[], toRepoPath: (file: string) => string = (file) => file): string {
  return diagnostics
    .map((diagnostic) => {
      const properties = `file=${escapeProperty(toRepoPath(diagnostic.file))},line=${diagnostic.line},col=${diagnostic.col},title=${escapeProperty(diagnostic.code)}`;
      const fix = diagnostic.fix ? ` (fix: ${diagnostic.fix})` : '';
      return `::${diagnostic.severity} ${properties}::${escapeData(diagnostic.message + fix)}\n`;
    })
    .join('');
}
