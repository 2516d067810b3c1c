// /metrics in the Prometheus text format through prom-client: HTTP requests by route and status,
// their latency, the runner's queue and active runs, live event followers, runs by status, and
// prom-client's process metrics (RSS, CPU, event-loop lag), and the HTTP thread's event-loop
// delay as a histogram (a counter-like series, so a scraper can take the delay of any window).

import type { Counter, Histogram, Registry } from 'prom-client';

export interface ServeMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  latency: Histogram<'method' | 'route'>;
  /** Stops the event-loop delay timer. */
  close(): void;
}

/** How often the event-loop delay is sampled, ms. */
const loopSampleMs = 10;

export async function createMetrics(gauges: { queued: () => number; running: () => number; followers: () => number; runsByStatus: () => Record<string, number>; workerHeaps?: () => Promise<number[]> }): Promise<ServeMetrics> {
  const client = await import('prom-client');
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'agentpipe_serve_' });
  const requests = new client.Counter({ name: 'agentpipe_http_requests_total', help: 'HTTP requests by method, route and status', labelNames: ['method', 'route', 'status'] as const, registers: [registry] });
  const latency = new client.Histogram({
    name: 'agentpipe_http_request_duration_seconds',
    help: 'HTTP request latency (to the response head for event streams)',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  });
  new client.Gauge({ name: 'agentpipe_runs_queued', help: 'Runs waiting for a slot', registers: [registry], collect() { this.set(gauges.queued()); } });
  new client.Gauge({ name: 'agentpipe_runs_running', help: 'Runs in flight in this process', registers: [registry], collect() { this.set(gauges.running()); } });
  new client.Gauge({ name: 'agentpipe_event_followers', help: 'SSE and WebSocket subscriptions following a live run', registers: [registry], collect() { this.set(gauges.followers()); } });
  const { workerHeaps } = gauges;
  if (workerHeaps) {
    new client.Gauge({
      name: 'agentpipe_run_worker_heap_bytes',
      help: 'V8 heap in use by each run worker thread',
      labelNames: ['worker'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const [index, bytes] of (await workerHeaps()).entries()) this.set({ worker: String(index) }, bytes);
      },
    });
  }
  new client.Gauge({
    name: 'agentpipe_runs',
    help: 'Runs in the index by status',
    labelNames: ['status'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [status, count] of Object.entries(gauges.runsByStatus())) this.set({ status }, count);
    },
  });
  // How late a timer due every 10 ms fires on this (the HTTP) thread: the time a request arriving
  // then would wait before serve even parses it. Cumulative, unlike prom-client's lag gauges
  // (percentiles since the previous scrape), so a dashboard or bench can take any window.
  const loopDelay = new client.Histogram({
    name: 'agentpipe_event_loop_delay_seconds',
    help: `Event-loop delay of the HTTP thread: how late a timer due every ${loopSampleMs} ms fires`,
    buckets: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  let due = performance.now() + loopSampleMs;
  const timer = setInterval(() => {
    const now = performance.now();
    loopDelay.observe(Math.max(0, now - due) / 1000);
    due = now + loopSampleMs;
  }, loopSampleMs);
  timer.unref();
  return { registry, requests, latency, close: () => clearInterval(timer) };
}
