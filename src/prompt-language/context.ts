// What a prompt's render context holds beyond inputs and steps (compile/prompt.ts builds it), so
// that lint and compile check reads of it against the same list.

/** Fields of `agent` that an agent's prompt and layers can read. */
export const agentFields: readonly string[] = ['name', 'description'];
