// Every file `agentpipe init` generates (as opposed to the examples it copies), in one place: the CI
// workflow, package.json and .gitignore. Add a CI job or step here, nowhere else.

/** How the scaffold depends on agentpipe while it is not on the npm registry (see dependency.ts). */
export interface AgentpipeDependency {
  /** The package.json spec: `file:vendor/agentpipe-0.1.0.tgz`, a git URL, a path or `^0.1.0`. */
  spec: string;
  /** One sentence for init's output and the workflow comment. */
  explanation: string;
}

/**
 * The CI workflow: a `check` job (lint, the cost gate, the offline tests) and, on pull requests, a
 * `review` job that keeps one sticky `agentpipe diff` comment. `npm ci` when a lockfile is written.
 */
export function workflow(dependency: AgentpipeDependency, options: { lockfile: boolean }): string {
  const install = options.lockfile ? 'npm ci' : 'npm install';
  return `# agentpipe checks on every pull request and push to main. ${dependency.explanation}
name: agentpipe
on:
  pull_request:
  push:
    branches: [main]
# Least privilege: read the code; only the review job may write, and only PR comments.
permissions:
  contents: read
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: { node-version: 24 }
      - run: ${install}
      - run: npx agentpipe lint --format github
      # Fails the check (exit 3) when a template's expected cost is over $1. Use --gate worst for a
      # hard ceiling: worst = max_tokens x max_iterations on every fallback model.
      - run: npx agentpipe estimate templates/*.yaml --gate expected --max-cost 1 --format markdown >> "$GITHUB_STEP_SUMMARY"
      # tests/*.yaml, answered by their cassettes: offline, no API key.
      - run: npx agentpipe test --format github
  review:
    # What the pull request changes in effect (prompts, models, prices, permissions, cost), as one
    # comment that is updated on every push. Add --fail-on widen to fail on a permission widening.
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pull-requests: write
    steps:
      - uses: actions/checkout@v4
        with: { fetch-depth: 0 }
      - uses: actions/setup-node@v4
        with: { node-version: 24 }
      - run: ${install}
      - name: agentpipe diff
        env:
          BASE_REF: \${{ github.base_ref }}
        run: npx agentpipe diff "origin/$BASE_REF" HEAD --format markdown > agentpipe-diff.md
      - name: One sticky comment
        env:
          GH_TOKEN: \${{ github.token }}
          PR: \${{ github.event.pull_request.number }}
          REPO: \${{ github.repository }}
        run: |
          id=$(gh api "repos/$REPO/issues/$PR/comments" --paginate --jq '.[] | select(.body | startswith("<!-- agentpipe-diff -->")) | .id' | head -n 1)
          if [ -n "$id" ]; then
            gh api --method PATCH "repos/$REPO/issues/comments/$id" -F body=@agentpipe-diff.md > /dev/null
          else
            gh api --method POST "repos/$REPO/issues/$PR/comments" -F body=@agentpipe-diff.md > /dev/null
          fi
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
