// The client side of bench/serve.mjs, in processes of its own so that the client's event loop
// (thousands of SSE streams, JSON parsing) never delays the submissions it times.
//   node bench/serve-client.mjs submit <url> <seconds> <rate> <target> <out.jsonl>
//     POSTs <rate> runs per second, on schedule (open loop: a slow answer does not delay the next
//     submission); prints each new run id on stdout as it is accepted; writes one line per
//     submission to <out.jsonl>: {ms (client side), server (Server-Timing dur, ms), status}.
//   node bench/serve-client.mjs subscribe <url> <count> <out.jsonl>
//     <count> subscribers; each takes one of the 25 most recent run ids (read from stdin), follows
//     its SSE stream to the end, then takes another (never the same one twice in a row), until
//     stdin closes. Writes one line per
//     subscription: {runId, count, inOrder, first, lastType, error?}.
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

const [mode, url, ...rest] = process.argv.slice(2);

function writer(path) {
  const stream = createWriteStream(path);
  return { line: (value) => stream.write(`${JSON.stringify(value)}\n`), close: () => new Promise((resolve) => stream.end(resolve)) };
}

async function submit() {
  const [seconds, rate, target, out] = [Number(rest[0]), Number(rest[1]), rest[2], rest[3]];
  const log = writer(out);
  const pending = [];
  const started = performance.now();
  const total = rate * seconds;
  for (let index = 0; index < total; index++) {
    const wait = started + (index * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    const body = JSON.stringify({ target, inputs: target === 'worker' ? { task: `task ${index}` } : { topic: `topic ${index}` } });
    pending.push(
      fetch(`${url}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        .then(async (response) => {
          const created = await response.json();
          const ms = performance.now() - sent;
          const server = Number(/dur=([\d.]+)/.exec(response.headers.get('server-timing') ?? '')?.[1] ?? NaN);
          log.line({ ms, server, status: response.status });
          if (response.status === 202 && created.id) process.stdout.write(`${created.id}\n`);
        })
        .catch((error) => log.line({ ms: performance.now() - sent, status: 0, error: String(error?.cause?.code ?? error) })),
    );
  }
  await Promise.all(pending);
  await log.close();
}

/** One subscription from the first event to the end. */
async function follow(runId) {
  const response = await fetch(`${url}/v1/runs/${runId}/events`);
  if (response.status === 204) return { runId, count: 0, inOrder: true };
  const decoder = new TextDecoder();
  let buffer = '';
  let count = 0;
  let inOrder = true;
  let first;
  let lastType;
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (\d+)$/m.exec(block)?.[1];
      if (!id) continue;
      count++;
      first ??= Number(id);
      if (Number(id) !== first + count - 1) inOrder = false;
      lastType = JSON.parse(/^data: (.*)$/m.exec(block)[1]).type;
    }
  }
  return { runId, count, inOrder, first, lastType };
}

async function subscribe() {
  const [count, out] = [Number(rest[0]), rest[1]];
  const log = writer(out);
  const recent = [];
  let open = true;
  const input = createInterface({ input: process.stdin });
  input.on('line', (id) => {
    recent.push(id);
    if (recent.length > 100) recent.splice(0, 50);
  });
  input.on('close', () => (open = false));
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      await new Promise((resolve) => setTimeout(resolve, index * 2));
      let previous;
      while (open) {
        // A run in flight: one of the last few submitted, spread by subscriber. The run it just
        // followed is not taken again: it waits for a newer one (re-reading a finished run in a
        // tight loop was load the bench does not ask for).
        const runId = recent[recent.length - 1 - (index % Math.min(recent.length, 25))];
        if (!runId || runId === previous) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          continue;
        }
        previous = runId;
        log.line(await follow(runId).catch((error) => ({ runId, count: 0, inOrder: true, error: String(error?.cause?.code ?? error) })));
      }
    }),
  );
  await log.close();
}

await (mode === 'submit' ? submit() : subscribe());
// What this client cost the machine (the clients share its cores with serve).
const { user, system } = process.cpuUsage();
const { readFileSync } = await import('node:fs');
const [, wait] = (() => {
  try {
    return readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
  } catch {
    return [NaN, NaN]; // not Linux
  }
})();
if (process.env.BENCH_DEBUG) process.stderr.write(`[serve bench] ${mode} client: ${((user + system) / 1e6).toFixed(1)} s CPU; its main thread waited ${(wait / 1e9).toFixed(1)} s for a CPU\n`);
process.exit(0);
