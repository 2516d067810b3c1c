// Processes the batch and queue benches start: the wire simulator, a throw-away redis-server, a
// small project with a 2-step template, agentpipe commands and workers; and what /proc says of a
// process (RSS, CPU time). Linux only (/proc).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const bin = join(repoRoot, 'bin', 'agentpipe.js');
export const benchKey = 'bench-key-0123456789';

/** The simulator in its own process, answering every call with `ok` after `latencyMs`. */
export async function startSimulatorProcess(latencyMs) {
  const script = JSON.stringify({ defaultTurn: { text: 'ok', latencyMs, usage: { input: 50, output: 5 } } });
  const child = spawn(process.execPath, [`${repoRoot}dist/sim/cli.js`, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, AGENTPIPE_SIM_SCRIPT: script } });
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  return { url: JSON.parse(line).url, pid: child.pid, stop: async () => (child.kill('SIGTERM'), await once(child, 'exit')) };
}

export async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** redis-server on a free loopback port, no persistence. */
export async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => child.stdout.on('data', (chunk) => String(chunk).includes('Ready to accept') && resolve()));
  child.stdout.resume();
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid, stop: async () => (child.kill('SIGTERM'), await once(child, 'exit')) };
}

/** A project with agents a and b, templates/two.yaml (a then b) and rows.jsonl of `rowCount` rows. */
export async function makeProject(rowCount) {
  const root = await mkdtemp(join(tmpdir(), 'agentpipe-bench-batch-'));
  const agent = (name) => `version: 1\nname: ${name}\nmodel: main\ninputs: { task: { type: string } }\nprompt:\n  system: "You are ${name}."\n  user: "{{inputs.task}}"\n`;
  const files = {
    'providers.yaml': 'version: 1\nproviders:\n  anthropic: { type: anthropic }\nmodels:\n  anthropic/claude-bench: { pricing: { input: 3, output: 15 } }\nroutes:\n  main: [anthropic/claude-bench]\n',
    'tools.yaml': 'version: 1\ntools: {}\n',
    'agents/a.yaml': agent('a'),
    'agents/b.yaml': agent('b'),
    'templates/two.yaml': 'version: 1\nname: two\ninputs: { task: { type: string } }\nsteps:\n  - { id: first, agent: a, with: { task: "{{inputs.task}}" } }\n  - { id: second, agent: b, needs: [first], with: { task: "{{steps.first.output}}" } }\n',
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  await writeRows(root, 'rows.jsonl', rowCount);
  return root;
}

export const writeRows = (root, name, count, prefix = 'row') =>
  writeFile(join(root, name), Array.from({ length: count }, (_, index) => JSON.stringify({ task: `${prefix} ${index}` })).join('\n'));

/** Runs agentpipe to the end; resolves with its exit code and output. */
export function cli(args, root, env) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Starts a process and resolves `ready` once its stderr shows `marker`. */
export function startLogged(command, args, options, marker) {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => (log += chunk));
  const ready = new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (log.includes(marker)) (clearInterval(timer), resolve());
      if (child.exitCode !== null) (clearInterval(timer), reject(new Error(log)));
    }, 50);
  });
  return { child, ready, log: () => log, stop: async () => (child.exitCode === null ? (child.kill('SIGKILL'), await once(child, 'exit')) : undefined) };
}

/** `agentpipe worker` in `root`; ready once it says how many jobs it runs at a time. */
export const startWorker = (root, env, queue, concurrency) => startLogged(process.execPath, [bin, 'worker', '--queue', queue, '--concurrency', String(concurrency)], { cwd: root, env }, ' at a time;');

const procStatus = async (pid) => readFile(`/proc/${pid}/status`, 'utf8');

/** Resident memory now and at its peak (MB). */
export async function memoryMb(pid) {
  const status = await procStatus(pid);
  const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/** User + system CPU time of a process so far (ms). */
export async function cpuMs(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5); fields[0] here is field 3.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

export const loadAverage = async () => (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
