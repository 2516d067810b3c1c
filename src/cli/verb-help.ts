// What `agentpipe <verb> --help` (and `agentpipe help <verb>`) adds to cac's usage and options: the
// verb's one-line description, two or three examples and its exit codes. A verb not listed here
// still gets cac's usage and options. One entry per verb; add yours when you add a verb.

export interface VerbHelp {
  examples: string[];
  /** Exit code -> what it means for this verb. */
  exitCodes: Record<number, string>;
}

const usage = 'invalid config or usage (a bad flag, an unknown file)';

export const verbHelp: Record<string, VerbHelp> = {
  run: {
    examples: [
      'agentpipe run agents/researcher.yaml --input question="What changed in Node 24?"',
      'agentpipe run agents/researcher.yaml --sim --input question=test   # no key: the built-in simulator, $0',
      'agentpipe run templates/code-review.yaml --input-file inputs.yaml --json > events.ndjson',
    ],
    exitCodes: { 0: 'the run succeeded', 1: 'the run failed, or no model can be called', 2: usage, 3: 'over budget (state saved)', 130: 'interrupted (state saved; resume with --resume <id>)' },
  },
  lint: {
    examples: ['agentpipe lint', 'agentpipe lint agents/ --strict', 'agentpipe lint --format sarif > agentpipe.sarif'],
    exitCodes: { 0: 'no errors (warnings allowed unless --strict)', 2: 'errors found (or warnings with --strict), or a bad flag' },
  },
  estimate: {
    examples: ['agentpipe estimate templates/research-report.yaml', 'agentpipe estimate templates/*.yaml --gate expected --max-cost 1', 'agentpipe estimate agents/writer.yaml --format markdown >> "$GITHUB_STEP_SUMMARY"'],
    exitCodes: { 0: 'estimated, within any --max-cost', 2: usage, 3: 'a file is over --max-cost' },
  },
  render: {
    examples: ['agentpipe render agents/researcher.yaml --input question=hi', 'agentpipe render agents/writer.yaml --explain', 'agentpipe render --check   # every agent against tests/prompts/'],
    exitCodes: { 0: 'rendered (or every snapshot matches)', 1: '--check: a snapshot differs or is missing', 2: usage },
  },
  diff: {
    examples: ['agentpipe diff   # merge base with the default branch vs the working tree', 'agentpipe diff origin/main HEAD --format markdown > comment.md', 'agentpipe diff main HEAD --fail-on widen --format github'],
    exitCodes: { 0: 'the report was made (changes or not)', 2: 'usage, a revision not in this clone, or a side that does not lint', 4: 'a permission widening, with --fail-on widen' },
  },
  test: {
    examples: ['agentpipe test', 'agentpipe test tests/researcher.yaml --format junit > junit.xml', 'agentpipe test --update   # re-record failing cassettes (needs keys)'],
    exitCodes: { 0: 'every test passed', 1: 'a test failed', 2: 'invalid test files, or usage' },
  },
  explain: {
    examples: ['agentpipe explain templates/code-review.yaml', 'agentpipe explain agents/researcher.yaml --json'],
    exitCodes: { 0: 'explained', 2: usage },
  },
  list: { examples: ['agentpipe list', 'agentpipe list --json'], exitCodes: { 0: 'listed', 2: usage } },
  models: { examples: ['agentpipe models', 'agentpipe models --json'], exitCodes: { 0: 'listed', 2: usage } },
  runs: { examples: ['agentpipe runs', 'agentpipe runs 20260101-120000-000-abc123', 'agentpipe runs --json'], exitCodes: { 0: 'listed', 2: 'no such run, or a bad flag' } },
  schema: { examples: ['agentpipe schema', 'agentpipe schema agent > agent.schema.json'], exitCodes: { 0: 'printed', 2: 'no such schema' } },
  init: {
    examples: ['agentpipe init my-agents', 'agentpipe init .   # into the current (empty) folder', 'agentpipe init my-agents --from git+https://example.com/agentpipe.git'],
    exitCodes: { 0: 'scaffolded', 2: 'the folder is not empty, or a bad flag' },
  },
  serve: { examples: ['agentpipe serve', 'agentpipe serve --port 0 --concurrency 2'], exitCodes: { 0: 'stopped cleanly', 2: usage } },
  keys: { examples: ['agentpipe keys create --role runner --name ci', 'agentpipe keys list', 'agentpipe keys revoke <id>'], exitCodes: { 0: 'done', 2: usage } },
  index: { examples: ['agentpipe index agents/support.yaml', 'agentpipe index --all'], exitCodes: { 0: 'indexed', 2: usage } },
  memory: { examples: ['agentpipe memory list', 'agentpipe memory show <thread-id>', 'agentpipe memory forget fact:3'], exitCodes: { 0: 'done', 2: usage } },
  batch: { examples: ['agentpipe batch agents/summariser.yaml --inputs rows.jsonl --out results.jsonl', 'agentpipe batch templates/code-review.yaml --inputs prs.csv --max-cost 5'], exitCodes: { 0: 'every row succeeded', 1: 'a row failed or was not run', 2: usage, 3: 'over budget (stopped)', 130: 'interrupted (resumable)' } },
  worker: { examples: ['agentpipe worker --queue redis://127.0.0.1:6379', 'agentpipe worker --queue redis://127.0.0.1:6379 --concurrency 8'], exitCodes: { 0: 'stopped cleanly', 2: usage } },
  mcp: { examples: ['agentpipe mcp list', 'agentpipe mcp list github --json', 'agentpipe mcp serve --stdio'], exitCodes: { 0: 'listed (or served until stopped)', 1: 'a server could not be listed', 2: usage } },
  queue: { examples: ['agentpipe queue status --queue redis://127.0.0.1:6379', 'agentpipe queue status --queue redis://127.0.0.1:6379 --json'], exitCodes: { 0: 'done', 2: usage } },
};

/** cac help sections for one verb: description first, examples and exit codes last. */
export function verbSections(description: string, help: VerbHelp | undefined): { first: { body: string }; last: Array<{ title: string; body: string }> } {
  const last = help
    ? [
        { title: 'Examples', body: help.examples.map((example) => `  $ ${example}`).join('\n') },
        { title: 'Exit codes', body: Object.entries(help.exitCodes).map(([code, meaning]) => `  ${code.padEnd(4)} ${meaning}`).join('\n') },
      ]
    : [];
  return { first: { body: description }, last };
}
