// Per-call overhead of agentpipe's provider layer (conversion, scope, classification) over the same
// official SDK called directly, both against the wire simulator running in its own process; and the
// RSS of a process with all five adapters loaded and used once. Needs a build (npm run build).
// Standalone: `node bench/providers.mjs`. Exports run() -> rows for bench/run.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const dist = (file) => pathToFileURL(`${repoRoot}dist/${file}`).href;
const calls = 2000;
const concurrency = 32;
const rounds = 3;
const key = 'bench-key';

async function startSimulatorProcess() {
  const child = spawn(process.execPath, [`${repoRoot}dist/sim/cli.js`, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  return { url: JSON.parse(line).url, stop: async () => (child.kill('SIGTERM'), await once(child, 'exit')) };
}

const options = { system: [{ text: 'You are concise.' }], messages: [{ role: 'user', content: 'Say hello.' }], maxTokens: 64 };

/** For each SDK: the direct call (what a user of the bare SDK writes) and the spec for our adapter. */
async function contenders(url) {
  const [{ default: Anthropic }, { default: OpenAI }, { GoogleGenAI }, { Ollama }] = await Promise.all([
    import('@anthropic-ai/sdk'),
    import('openai'),
    import('@google/genai'),
    import('ollama'),
  ]);
  const anthropic = new Anthropic({ apiKey: key, baseURL: url, maxRetries: 0 });
  const openai = new OpenAI({ apiKey: key, baseURL: `${url}/v1`, maxRetries: 0 });
  const gemini = new GoogleGenAI({ apiKey: key, vertexai: false, httpOptions: { baseUrl: url } });
  const ollama = new Ollama({ host: url });
  const user = [{ role: 'user', content: 'Say hello.' }];
  return [
    {
      type: 'anthropic',
      model: 'claude-opus-4-7',
      baseUrl: url,
      direct: () => anthropic.messages.create({ model: 'claude-opus-4-7', max_tokens: 64, system: [{ type: 'text', text: 'You are concise.' }], messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello.' }] }] }),
    },
    {
      type: 'openai',
      model: 'gpt-4o',
      baseUrl: `${url}/v1`,
      direct: () => openai.chat.completions.create({ model: 'gpt-4o', max_completion_tokens: 64, messages: [{ role: 'system', content: 'You are concise.' }, ...user] }),
    },
    {
      type: 'gemini',
      model: 'gemini-2.5-flash',
      baseUrl: url,
      direct: () =>
        gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: [{ role: 'user', parts: [{ text: 'Say hello.' }] }], config: { systemInstruction: { parts: [{ text: 'You are concise.' }] }, maxOutputTokens: 64 } }),
    },
    {
      type: 'ollama',
      model: 'llama3.2',
      baseUrl: url,
      direct: () => ollama.chat({ model: 'llama3.2', stream: false, messages: [{ role: 'system', content: 'You are concise.' }, ...user], options: { num_predict: 64 } }),
    },
  ];
}

/** µs per call for `count` calls with `parallel` in flight. */
async function timeCalls(call, count, parallel) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        next++;
        await call();
      }
    }),
  );
  return ((performance.now() - started) * 1000) / count;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (value) => Math.round(value * 10) / 10;

async function overheadRows(url) {
  const { createLanguageModel } = await import(dist('providers/registry.js'));
  const { parseModelRef } = await import(dist('providers/types.js'));
  const rows = [];
  const env = { ANTHROPIC_API_KEY: key, OPENAI_API_KEY: key, GEMINI_API_KEY: key };
  for (const contender of await contenders(url)) {
    const ref = parseModelRef(`${contender.type}/${contender.model}`);
    const model = createLanguageModel({ ref, provider: { name: contender.type, type: contender.type, baseUrl: contender.baseUrl }, pricing: { input: 0, output: 0 } }, env);
    const ours = () => model.generate(options);
    for (const [label, parallel] of [['sequential', 1], [`concurrency ${concurrency}`, concurrency]]) {
      await timeCalls(contender.direct, 200, parallel);
      await timeCalls(ours, 200, parallel);
      const direct = [];
      const layered = [];
      // Interleaved rounds so that drift (GC, CPU frequency) hits both sides alike.
      for (let index = 0; index < rounds; index++) {
        direct.push(await timeCalls(contender.direct, calls, parallel));
        layered.push(await timeCalls(ours, calls, parallel));
      }
      const base = median(direct);
      const value = median(layered);
      rows.push({
        name: `${contender.type} generate, ${calls} calls ${label}`,
        value: round(value),
        unit: 'µs/call',
        baseline: round(base),
        ratio: Math.round((value / base) * 100) / 100,
        goal: '<= +50 µs',
        note: `overhead ${round(value - base)} µs/call`,
      });
    }
  }
  return rows;
}

/** RSS of a fresh process that loaded and used every adapter once. */
function rssRow(url) {
  const script = `
    const { createLanguageModel } = await import(${JSON.stringify(dist('providers/registry.js'))});
    const { parseModelRef } = await import(${JSON.stringify(dist('providers/types.js'))});
    const env = { ANTHROPIC_API_KEY: 'k', OPENAI_API_KEY: 'k', GEMINI_API_KEY: 'k', LM_KEY: 'k' };
    const specs = [['anthropic', 'anthropic', ${JSON.stringify(url)}], ['openai', 'openai', ${JSON.stringify(`${url}/v1`)}], ['gemini', 'gemini', ${JSON.stringify(url)}],
      ['ollama', 'ollama', ${JSON.stringify(url)}], ['lmstudio', 'openai-compatible', ${JSON.stringify(`${url}/v1`)}]];
    for (const [name, type, baseUrl] of specs) {
      const model = createLanguageModel({ ref: parseModelRef(name + '/m'), provider: { name, type, baseUrl, ...(type === 'openai-compatible' ? { apiKeyEnv: 'LM_KEY' } : {}) }, pricing: { input: 0, output: 0 } }, env);
      await model.generate({ system: [], messages: [{ role: 'user', content: 'hi' }] });
    }
    globalThis.gc?.();
    process.stdout.write(String(process.memoryUsage().rss));`;
  const result = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`rss probe failed: ${result.stderr}`);
  const bare = spawnSync(process.execPath, ['--expose-gc', '-e', 'globalThis.gc(); process.stdout.write(String(process.memoryUsage().rss))'], { encoding: 'utf8' });
  const mib = (bytes) => round(Number(bytes) / 1024 / 1024);
  return { name: 'RSS with all five adapters loaded and called once', value: mib(result.stdout), unit: 'MiB', baseline: mib(bare.stdout), goal: '<= 170 MiB', note: 'baseline: bare node' };
}

export async function run() {
  const simulator = await startSimulatorProcess();
  try {
    return [...(await overheadRows(simulator.url)), rssRow(simulator.url)];
  } finally {
    await simulator.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) {
    const ratio = row.ratio === undefined ? '' : ` = ${row.ratio}x`;
    const baseline = row.baseline === undefined ? '' : ` vs ${row.baseline} ${row.unit}`;
    process.stdout.write(`${row.name}: ${row.value} ${row.unit}${baseline}${ratio} (goal ${row.goal})${row.note ? `; ${row.note}` : ''}\n`);
  }
}
