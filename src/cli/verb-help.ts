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
    examples: ['agentpipe render agents/researcher.yaml --input question=hi', 'agentpipe render agents/writer.yaml --explain'],
    exitCodes: { 0: 'rendered', 2: usage },
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
    examples: ['agentpipe init my-agents', 'agentpipe init .   # into the current (empty) folder'],
    exitCodes: { 0: 'scaffolded', 2: 'the folder is not empty, or a bad flag' },
  },
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
