// Part of the simulator's embedding model, not of agentpipe's retrieval. A real embedding model puts
// "the main database machine went dark" near "Postgres primary unreachable" because it learned that
// those words mean related things; a hashed bag of words cannot. This table stands in for that
// knowledge: each group is a concept, and every word of a group also adds the concept's feature to
// the vector (embedder.ts), so texts that say the same thing in different words land close together.
//
// Be clear about what it is: a hand-written synonym list, written with the retrieval test corpus
// (test/fixtures/knowledge-corpus) in view, covering the vocabulary of its documents and questions
// (software operations, billing, deploys). The vector scores of the paraphrase questions there
// measure this table as much as anything else; the same test reports them per question kind so that
// the lexical side, which it does not touch, can be read apart. Words are given in stemmed form
// (see `stem`).

const groups: string[] = [
  // infrastructure
  'database db postgres postgresql pg mongo mongodb sql patroni replica primary',
  'machine host server node instance vm box hardware',
  'disk drive storage space room enospc volume full',
  'down dark outage unreachable unavailable offline dead broken break fail failing failure fault crash',
  'save write persist insert commit',
  'wait waiting queue queued backlog stuck pending forever sit sitting idle',
  'pick assign schedule scheduling dispatch',
  'fleet pool capacity autoscal autoscaler scale scaling',
  'start boot provision spin launch startup',
  'stop shut terminate drain pause',
  'maintenance rotation upgrade',
  'self-hosted runner runners agent',
  // security and certificates
  'https tls ssl certificate cert padlock acme',
  'expire expiry expiring lapse lapsing renew renewal',
  'token key credential secret',
  'scope permission access allowed',
  'sign signature signed hmac verify authentic genuine',
  // incidents and operations
  'incident emergency sev1 sev2 sev3 severity major critical',
  'charge commander coordinat lead leader responsible ic',
  'bad serious impact',
  'page pager alert alarm notify on-call',
  'session login logged logout kicked sign-in',
  'random intermittent sporadic flaky flake',
  'retry try again second attempt replay',
  // webhooks
  'webhook callback hook notification deliver delivery arrive receive reach endpoint',
  // decisions
  'decision adr choice design architecture decide decided record',
  'approve approval accept accepted sign-off review reviewer',
  // builds and artifacts
  'build pipeline ci job run',
  'metadata record records history status',
  'artifact output outputs download downloadable binary',
  'link url presigned temporary expiring',
  'serve stream streaming',
  'delete purge remove discard throw sweep sweeper clean cleanup prune',
  'old stale retention aged',
  'legal litigation lawsuit hold',
  'nightly cron scheduled task job daily',
  // observability
  'trace tracing span telemetry opentelemetry otlp follow',
  'slow latency p99 slowness',
  'service services microservice component',
  // limits
  'limit rate quota allowance throttle throttl 429 burst',
  'double twice minute window edge fire',
  // flags and rollout
  'flag feature toggle capability',
  'slice percentage percent portion share subset fraction',
  'ship deploy deployment release rollout promote shipping',
  'prod production live',
  'canary gradual progressive incremental step',
  'rollback revert undo roll',
  'misbehave error errors 5xx regression',
  // api
  'api endpoint http rest interface programmatic programmatically',
  'who actor user member people person',
  'audit activity log trail event events',
  'organisation organization org workspace team account company',
  // development
  'laptop local locally dev development',
  'setup bootstrap install clone',
  'cli command terminal harbor tool',
  'version versions semver tag cut',
  'test tests check checks quarantine',
  'config configuration setting settings variable variables env environment option',
  // billing
  'bill billed billing charge charged invoice pay price cost prorate proration refund credit',
  'seat seats user users member members add',
  'halfway mid middle period month partial remaining',
]

/**
 * A light stemmer: plural and verb endings, then a final `e`, so that `deploys`, `deployed` and
 * `deploying` meet, and `release`, `released` and `releasing` too.
 */
export function stem(word: string): string {
  if (word.length <= 4 || /\d/.test(word)) return word;
  let base = word;
  if (base.endsWith('ies')) base = `${base.slice(0, -3)}y`;
  else if (base.endsWith('ing') && base.length > 6) base = base.slice(0, -3);
  else if (base.endsWith('ed') && base.length > 5) base = base.slice(0, -2);
  else if (/(?:ss|sh|ch|x)es$/.test(base)) base = base.slice(0, -2);
  else if (base.endsWith('s') && !base.endsWith('ss')) base = base.slice(0, -1);
  return base.length > 4 && base.endsWith('e') ? base.slice(0, -1) : base;
}

const table = new Map<string, number[]>();
groups.forEach((group, concept) => {
  for (const word of group.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []) {
    const key = stem(word);
    const concepts = table.get(key) ?? [];
    if (!concepts.includes(concept)) concepts.push(concept);
    table.set(key, concepts);
  }
});

/** The concepts a (stemmed) word belongs to. */
export const conceptsOf = (stemmed: string): readonly number[] => table.get(stemmed) ?? [];
