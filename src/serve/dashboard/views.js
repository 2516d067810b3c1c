// The dashboard's pages. Everything shown is built with DOM nodes and textContent (never
// innerHTML), so a run's text cannot inject markup.
import { api, followEvents } from './api.js';
import { dayChart } from './charts.js';

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== undefined && child !== null) element.append(child instanceof Node ? child : String(child));
  return element;
}

const usd = (value) => `$${Number(value ?? 0).toFixed(value > 0 && value < 0.01 ? 4 : 2)}`;
const duration = (ms) => (ms === undefined || ms === null ? '' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
const status = (value) => h('span', { class: `status ${value}`, 'data-status': value }, value);
const table = (head, rows) => h('table', {}, h('thead', {}, h('tr', {}, head.map((cell) => h('th', {}, cell)))), h('tbody', {}, rows));

/** Runs list, refreshed every 3 s while shown. */
export function runsView(view, signal) {
  const body = h('tbody');
  const filter = h('select', { 'aria-label': 'status filter', onchange: () => refresh() }, ['', 'queued', 'running', 'succeeded', 'failed', 'interrupted', 'cancelled'].map((value) => h('option', { value }, value || 'any status')));
  view.replaceChildren(h('h2', {}, 'Runs'), h('div', { class: 'filters' }, filter), h('table', { id: 'runs' }, h('thead', {}, h('tr', {}, ['run', 'status', 'target', 'created', 'duration', 'cost'].map((cell) => h('th', {}, cell)))), body));
  async function refresh() {
    const { runs } = await api(`/v1/runs?limit=100${filter.value ? `&status=${filter.value}` : ''}`);
    body.replaceChildren(
      ...(runs.length === 0 ? [h('tr', {}, h('td', { colspan: 6 }, 'No runs yet: start one from the Catalogue.'))] : []),
      ...runs.map((run) => h('tr', { 'data-run': run.id }, h('td', {}, h('a', { class: 'mono', href: `#/runs/${run.id}` }, run.id)), h('td', {}, status(run.status)), h('td', {}, `${run.kind} ${run.name}`), h('td', {}, new Date(run.createdAt).toLocaleString()), h('td', {}, duration(run.durationMs)), h('td', {}, usd(run.costUsd)))),
    );
  }
  const timer = setInterval(() => refresh().catch(() => undefined), 3000);
  signal.addEventListener('abort', () => clearInterval(timer));
  return refresh();
}

/** One run: summary, step timeline, live events, outputs and cost. */
export async function runView(view, signal, id) {
  const run = await api(`/v1/runs/${id}`);
  const header = h('div');
  const timeline = h('div', { class: 'timeline', id: 'timeline' });
  const events = h('div', { class: 'events', id: 'events' });
  const outputs = h('div', { id: 'outputs' });
  const ledger = h('div', { id: 'ledger' });
  view.replaceChildren(header, h('h3', {}, 'Steps'), timeline, h('div', { class: 'grid2' }, h('div', {}, h('h3', {}, 'Live events'), events), h('div', {}, h('h3', {}, 'Outputs'), outputs, h('h3', {}, 'Cost'), ledger)));
  const steps = new Map(Object.entries(run.steps ?? {}).map(([stepId, step]) => [stepId, { status: step.status, start: undefined, end: undefined }]));
  let first;
  let last;
  const draw = (current) => {
    header.replaceChildren(h('h2', {}, `${current.kind} ${current.name} `, status(current.status)), h('p', { class: 'meta' }, h('span', { class: 'mono', id: 'run-id' }, current.id), ` · ${current.target}`, current.thread ? h('span', {}, ' · thread ', h('span', { class: 'mono', id: 'run-thread' }, current.thread)) : '', ` · created ${new Date(current.createdAt).toLocaleString()} · ${duration(current.durationMs)} · ${usd(current.costUsd)}`), current.error ? h('p', { class: 'error' }, current.error) : '');
    outputs.replaceChildren(current.outputs ? h('pre', {}, Object.entries(current.outputs).map(([name, value]) => `## ${name}\n${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`).join('\n')) : h('p', { class: 'meta' }, 'No outputs yet.'));
    const byModel = Object.entries(current.ledger?.by?.model ?? {});
    ledger.replaceChildren(table(['model', 'calls', 'tokens in / out', 'cost'], byModel.map(([model, totals]) => h('tr', {}, h('td', {}, model), h('td', {}, totals.calls), h('td', {}, `${totals.usage.inputTokens} / ${totals.usage.outputTokens}`), h('td', {}, usd(totals.costUsd))))));
  };
  const drawTimeline = () => {
    const span = Math.max(1, (last ?? Date.now()) - (first ?? Date.now()));
    timeline.replaceChildren(
      ...[...steps].map(([stepId, step]) => {
        const bar = h('div', { class: `bar ${step.status}` });
        if (step.start !== undefined) {
          bar.style.left = `${((step.start - first) / span) * 100}%`;
          bar.style.width = `${Math.max(1, (((step.end ?? last) - step.start) / span) * 100)}%`;
        }
        return h('div', { class: 'bar-row', 'data-step': stepId }, h('span', { class: 'label' }, `${stepId} `, status(step.status)), h('div', { class: 'bar-track' }, bar));
      }),
    );
  };
  draw(run);
  drawTimeline();
  followEvents(
    id,
    (event, eventId) => {
      const time = Date.parse(event.time);
      first ??= time;
      last = time;
      const stepId = event.stepId?.replace(/\[\d+\]$/, '');
      if (stepId && (event.type === 'step-start' || event.type === 'step-end')) {
        const step = steps.get(stepId) ?? { status: 'pending' };
        if (event.type === 'step-start') (step.start ??= time), (step.status = 'running');
        else (step.end = time), (step.status = event.status === 'cached' ? 'succeeded' : event.status);
        steps.set(stepId, step);
      }
      const text = event.type === 'text-delta' ? JSON.stringify(event.delta) : event.type === 'step-end' ? `${event.status} ${usd(event.costUsd)}` : event.type === 'run-end' ? `${event.status} ${usd(event.costUsd)} ${duration(event.durationMs)}` : event.model ?? event.message ?? '';
      events.append(h('div', { 'data-event': event.type }, `#${eventId} ${event.time.slice(11, 23)} ${event.type}${event.stepId ? ` [${event.stepId}]` : ''} ${text}`));
      events.scrollTop = events.scrollHeight;
      drawTimeline();
    },
    signal,
  )
    // The stream ends once the run's state and index are saved: show the final state.
    .then(() => !signal.aborted && api(`/v1/runs/${id}`).then(draw))
    .catch((error) => !signal.aborted && events.append(h('div', { class: 'error' }, String(error.message))));
}

/** Catalogue: search, tag and difficulty filters; a form per entry that starts a run from a sample. */
export async function catalogueView(view, signal, navigate) {
  const query = h('input', { type: 'search', placeholder: 'Search templates and agents', 'aria-label': 'search' });
  const tag = h('select', { 'aria-label': 'tag' }, h('option', { value: '' }, 'any tag'));
  const difficulty = h('select', { 'aria-label': 'difficulty' }, ['', 'beginner', 'intermediate', 'advanced'].map((value) => h('option', { value }, value || 'any difficulty')));
  const cards = h('div', { class: 'cards', id: 'catalogue' });
  view.replaceChildren(h('h2', {}, 'Catalogue'), h('div', { class: 'filters' }, query, tag, difficulty), cards);
  const all = await api('/v1/templates');
  for (const name of [...new Set(all.templates.flatMap((template) => template.tags))].sort()) tag.append(h('option', { value: name }, name));
  async function refresh() {
    const parameters = new URLSearchParams(Object.entries({ q: query.value, tag: tag.value, difficulty: difficulty.value }).filter(([, value]) => value));
    const [{ templates }, { agents }] = await Promise.all([api(`/v1/templates?${parameters}`), api(`/v1/agents?${parameters}`)]);
    cards.replaceChildren(...[...templates, ...agents].map((entry) => card(entry, navigate)));
    if (templates.length + agents.length === 0) cards.append(h('p', { class: 'meta' }, 'Nothing matches.'));
  }
  let pending;
  query.addEventListener('input', () => (clearTimeout(pending), (pending = setTimeout(refresh, 200))));
  tag.addEventListener('change', refresh);
  difficulty.addEventListener('change', refresh);
  signal.addEventListener('abort', () => clearTimeout(pending));
  await refresh();
}

function card(entry, navigate) {
  const examples = Object.entries(entry.examples ?? {});
  const inputs = h('textarea', { 'aria-label': `inputs of ${entry.name}`, 'data-inputs': entry.name }, JSON.stringify(examples[0]?.[1] ?? {}, null, 2));
  const sample = h('select', { 'aria-label': `sample inputs of ${entry.name}`, onchange: () => (inputs.value = JSON.stringify(entry.examples[sample.value] ?? {}, null, 2)) }, examples.map(([name]) => h('option', { value: name }, name)));
  const message = h('p', { class: 'error' });
  // An agent can continue a conversation thread (POST /v1/runs `thread`, as `run --thread`).
  const thread = entry.kind === 'agent' ? h('input', { type: 'text', placeholder: 'none: a stateless run', 'aria-label': `thread of ${entry.name}`, 'data-thread': entry.name }) : undefined;
  const start = async (event) => {
    event.preventDefault();
    message.textContent = '';
    try {
      const threadId = thread?.value.trim();
      const created = await api('/v1/runs', { body: { target: entry.file, inputs: JSON.parse(inputs.value || '{}'), ...(threadId ? { thread: threadId } : {}) } });
      navigate(`#/runs/${created.id}`);
    } catch (error) {
      message.textContent = [error.message, ...(error.body?.diagnostics ?? []).map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`)].join('\n');
    }
  };
  return h(
    'form',
    { class: 'card', 'data-entry': entry.name, onsubmit: start },
    h('h3', {}, entry.name, ' ', h('span', { class: 'meta' }, entry.kind)),
    h('p', {}, entry.description ?? ''),
    h('p', { class: 'meta' }, [entry.category, entry.difficulty].filter(Boolean).join(' · '), ' ', entry.tags.map((name) => h('span', { class: 'tag' }, name))),
    examples.length ? h('label', {}, 'Sample: ', sample) : '',
    inputs,
    thread ? h('label', {}, 'Thread: ', thread) : '',
    h('button', { type: 'submit' }, 'Start run'),
    message,
  );
}

/** Analytics: headline figures with trends, runs and cost per day, breakdowns. */
export async function analyticsView(view, _signal) {
  const data = await api('/v1/analytics?days=30');
  const percent = (value) => (value === null ? '–' : `${(value * 100).toFixed(0)}%`);
  const trend = (value, format) => (value === null || value === undefined ? '' : ` (${value >= 0 ? '+' : ''}${format(value)} vs previous)`);
  const breakdown = (title, values) => h('div', {}, h('h3', {}, title), table(['name', 'cost'], Object.entries(values).sort((a, b) => b[1] - a[1]).map(([name, cost]) => h('tr', {}, h('td', {}, name), h('td', {}, usd(cost))))));
  const runsChart = h('div', { id: 'chart-runs' });
  const costChart = h('div', { id: 'chart-cost' });
  view.replaceChildren(
    h('h2', {}, `Last ${data.days} days`),
    h(
      'div',
      { class: 'figures' },
      h('div', { class: 'figure' }, h('b', {}, data.runs), `runs${trend(data.trends.runs, percent)}`),
      h('div', { class: 'figure' }, h('b', {}, percent(data.successRate)), `success${trend(data.trends.successRate, percent)}`),
      h('div', { class: 'figure' }, h('b', {}, duration(data.p50DurationMs) || '–'), 'p50 duration'),
      h('div', { class: 'figure' }, h('b', {}, duration(data.p95DurationMs) || '–'), 'p95 duration'),
      h('div', { class: 'figure' }, h('b', {}, usd(data.costUsd)), `cost${trend(data.trends.costUsd, percent)}`),
    ),
    h('div', { class: 'grid2' }, runsChart, costChart),
    h('div', { class: 'grid2' }, breakdown('Cost by agent', data.costByAgent), breakdown('Cost by model', data.costByModel), breakdown('Cost by provider', data.costByProvider), h('div', {}, h('h3', {}, 'Failures by error class'), table(['class', 'runs'], Object.entries(data.failuresByErrorClass).map(([name, count]) => h('tr', {}, h('td', {}, name), h('td', {}, count)))))),
  );
  const days = data.byDay.map((row) => row.day);
  dayChart(runsChart, 'Runs per day', days, data.byDay.map((row) => row.runs), (value) => String(Math.round(value)), true);
  dayChart(costChart, 'Cost per day (USD)', days, data.byDay.map((row) => row.costUsd), (value) => `$${value.toFixed(value < 0.01 && value > 0 ? 4 : 2)}`);
}
