// Facts about the prompt template language that both validate (lint) and compile (render) rely on.
// Kept in one place so that lint and run can never disagree about what a prompt may call.

/** Helpers every prompt may call (implemented in compile/prompt.ts). */
export const promptHelperNames = ['json', 'indent', 'join', 'eq', 'upper', 'lower', 'today'] as const;

/** Handlebars' own helpers, allowed too. */
export const builtinHelperNames = ['if', 'unless', 'each', 'with', 'lookup', 'log'] as const;

export const allHelperNames: readonly string[] = [...builtinHelperNames, ...promptHelperNames];

const allHelpers = new Set(allHelperNames);

export function isKnownHelper(name: string): boolean {
  return allHelpers.has(name);
}
