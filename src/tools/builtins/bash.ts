// bash: runs an argv (never a shell string unless the rules turn shell mode on) inside the workspace.

import { checkCommand } from '../permissions.js';
import { runInWorkspace } from '../process.js';
import { ToolDeniedError, ToolFailedError, type BuiltinTool } from '../types.js';

export const bashTool: BuiltinTool = {
  name: 'bash',
  description:
    'Run a command in the workspace as an argv array, e.g. ["git", "status"]. No shell: pipes, globs, $(...) and ; are passed literally. ' +
    'Only commands allowed by the bash rules run.',
  inputSchema: {
    type: 'object',
    properties: {
      argv: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Program and arguments' },
      command: { type: 'string', minLength: 1, description: 'A shell command line; accepted only when the policy enables shell mode' },
    },
    additionalProperties: false,
  },
  timeoutMs: (toolSet) => toolSet.permissions.bash.timeoutMs,
  async run(input, runtime) {
    const { argv, command } = input as { argv?: string[]; command?: string };
    const rules = runtime.toolSet.permissions.bash;
    let file: string;
    let args: string[];
    if (command !== undefined) {
      if (argv !== undefined) throw new ToolFailedError('give either argv or command, not both');
      if (!rules.shell) {
        throw new ToolDeniedError('bash.shell', 'shell command strings are off in this policy; pass an argv array instead');
      }
      checkCommand(rules, command);
      [file, args] = ['/bin/sh', ['-c', command]];
    } else {
      const [program, ...rest] = argv ?? [];
      if (program === undefined || program === '') throw new ToolFailedError('argv must name a program');
      checkCommand(rules, [program, ...rest]);
      [file, args] = [program, rest];
    }
    return runInWorkspace(runtime, file, args, rules.timeoutMs);
  },
};
