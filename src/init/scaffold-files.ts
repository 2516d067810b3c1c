// Every file `agentpipe init` generates (as opposed to the examples it copies), in one place: the CI
// workflow, package.json and .gitignore. Add a CI job or step here, nowhere else.

/** How the scaffold depends on agentpipe while it is not on the npm registry (see dependency.ts). */
export interface AgentpipeDependency {
  /** The package.json spec: `file:vendor/agentpipe-0.1.0.tgz`, a git URL, a path or `^0.1.0`. */
  spec: string;
  /** One sentence for init's output and the workflow comment. */
  explanation: string;
}

/** The workflow's steps, one entry each; the check job runs them in order. `npm ci` when a lockfile is written. */
export function workflowSteps(options: { lockfile: boolean }): string[] {
  return [
    '- uses: actions/checkout@v4',
    '- uses: actions/setup-node@v4\n  with:\n    node-version: 24',
    `- run: ${options.lockfile ? 'npm ci' : 'npm install'}`,
    '- run: npx agentpipe lint --format github',
    [
      '# Fails the check (exit 3) when a template\'s expected cost is over $1. Use --gate worst for a',
      '# hard ceiling: worst = max_tokens x max_iterations on every fallback model.',
      '- run: npx agentpipe estimate templates/*.yaml --gate expected --max-cost 1 --format markdown >> "$GITHUB_STEP_SUMMARY"',
    ].join('\n'),
  ];
}

const indent = (text: string, spaces: number) =>
  text
    .split('\n')
    .map((line) => `${' '.repeat(spaces)}${line}`)
    .join('\n');

export function workflow(dependency: AgentpipeDependency, options: { lockfile: boolean }): string {
  return `# agentpipe checks on every pull request and push. ${dependency.explanation}
name: agentpipe
on:
  pull_request:
  push:
permissions:
  contents: read
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
${workflowSteps(options)
  .map((step) => indent(step, 6))
  .join('\n')}
`;
}

export const gitignore = `# agentpipe: keys and run state never belong in git
.env
.env.*
.agentpipe/
node_modules/
out/
`;

export function packageManifest(dependency: AgentpipeDependency): Record<string, unknown> {
  return {
    private: true,
    type: 'module',
    scripts: { lint: 'agentpipe lint', estimate: 'agentpipe estimate templates/*.yaml --gate expected --max-cost 1' },
    devDependencies: { agentpipe: dependency.spec },
  };
}

export const packageJson = (dependency: AgentpipeDependency): string => `${JSON.stringify(packageManifest(dependency), null, 2)}\n`;
