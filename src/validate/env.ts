// `${NAME}` with no default whose variable is unset: every one is reported at once, each where it
// is written. DESIGN: a lint warning, and a run-time error, but only for what the run uses (which
// compile/project.ts decides from the compiled target).

import type { Diagnostic } from '../errors.js';
import type { MissingEnvVar, RawProject } from '../load/types.js';

/**
 * One diagnostic per unset variable. `errorReason` makes one an error: it returns why (shown in the
 * message, e.g. "the run uses provider `deepseek`"; empty for no reason given), or undefined for a warning.
 */
export function missingEnvDiagnostics(raw: Pick<RawProject, 'files' | 'missingEnv'>, errorReason: (variable: MissingEnvVar) => string | undefined): Diagnostic[] {
  const missing = raw.missingEnv ?? [];
  if (missing.length === 0) return [];
  const names = [...new Set(missing.map((variable) => variable.name))];
  const summary = `environment variables not set: ${names.join(', ')}`;
  return missing.map((variable) => {
    const source = raw.files.find((file) => file.file === variable.file);
    const { line, col } = source?.locate(variable.path) ?? { line: 1, col: 1 };
    const reason = errorReason(variable);
    return {
      severity: reason === undefined ? 'warning' : 'error', code: 'env/unset', file: variable.file, line, col,
      message: `\${${variable.name}} is not set and has no default${reason ? `, and ${reason}` : ''} (${summary})`,
      fix: `set ${variable.name} (in the environment or .env), or write \${${variable.name}:-default}`,
    };
  });
}
