// The sandbox's start-up cost per bash call: the same command (`true`, then `git status`) spawned bare
// and through the bubblewrap sandbox, median of many calls each, in one run. The workspace is a small
// project (about 300 files, a .git folder, a .env and keys to mask). Needs a build and bubblewrap.
// Standalone: `node bench/sandbox.mjs`. Exports run() -> rows for bench/run.mjs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const load = (relative) => import(pathToFileURL(path.join(repoRoot, 'dist', relative)).href);
const calls = 41;
const goalMs = 15;

async function makeWorkspace() {
  const root = await realpath(await mkdtemp(path.join(tmpdir(), 'agentpipe-bench-sandbox-')));
  for (let folder = 0; folder < 15; folder++) {
    await mkdir(path.join(root, `src/module${folder}`), { recursive: true });
    for (let file = 0; file < 20; file++) await writeFile(path.join(root, `src/module${folder}/file${file}.ts`), `export const value${file} = ${file};\n`);
  }
  await mkdir(path.join(root, 'keys'));
  await writeFile(path.join(root, 'keys/server.pem'), 'not a real key\n');
  await writeFile(path.join(root, '.env'), 'OPENAI_API_KEY=bench-not-a-key\n');
  await writeFile(path.join(root, '.gitignore'), '.env\n');
  const git = (...args) => execFileSync('git', args, { cwd: root, stdio: 'ignore', env: { PATH: process.env.PATH, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@example.invalid', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@example.invalid' } });
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'bench');
  return root;
}

/** CPU seconds (user + system) used so far by this process's finished children, from /proc/self/stat. */
function childCpuMs() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // After the command name: state is field 3, so cutime (16) and cstime (17) are at 13 and 14 here.
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

const median = (samples) => [...samples].sort((left, right) => left - right)[Math.floor(samples.length / 2)];

export async function run() {
  const [{ runProcess, sandboxPolicy }, { confine, detectSandbox }] = await Promise.all([load('tools/process.js'), load('sandbox/index.js')]);
  const availability = await detectSandbox();
  if (!availability.available) return [{ name: 'FAILED', value: NaN, unit: '', note: availability.reason }];
  const workspace = await makeWorkspace();
  const toolSet = {
    workspace,
    tools: [],
    permissions: {
      read: { allow: ['**'], deny: ['.env*', '**/*.pem', '**/*.key', '.git/**', '.agentpipe/**', 'node_modules/**'], maxBytes: 1 << 20 },
      write: { allow: ['out/**'], deny: [], maxBytes: 1 << 20 },
      bash: { allow: ['*'], deny: [], timeoutMs: 30_000, maxOutputBytes: 1 << 16, env: ['PATH'], shell: false, expose: ['.git/**', 'node_modules/**'], sandbox: 'auto', allowHosts: [] },
      http: { allowHosts: [], denyHosts: [], timeoutMs: 1000, maxBytes: 1, maxRedirects: 0 },
    },
  };
  const env = { PATH: process.env.PATH };
  const signal = new AbortController().signal;
  const once = async (file, args, sandboxed) => {
    const started = performance.now();
    const spec = sandboxed ? await confine({ file, args, env }, sandboxPolicy(toolSet, 30_000), 'auto') : { file, args, env, cwd: workspace, extraInputs: [] };
    const result = await runProcess({ ...spec, timeoutMs: 30_000, maxOutputBytes: 1 << 16, signal });
    if (result.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
    return performance.now() - started;
  };
  const rows = [];
  try {
    for (const [label, file, args] of [['true', 'true', []], ['git status', 'git', ['status', '--short']]]) {
      // Interleaved so that load from other processes on the machine hits both sides alike.
      const bare = [];
      const sandboxed = [];
      const cpu = { bare: 0, sandboxed: 0 };
      await once(file, args, false);
      await once(file, args, true);
      for (let call = 0; call < calls; call++) {
        let before = childCpuMs();
        bare.push(await once(file, args, false));
        cpu.bare += childCpuMs() - before;
        before = childCpuMs();
        sandboxed.push(await once(file, args, true));
        cpu.sandboxed += childCpuMs() - before;
      }
      // CPU time moves far less than wall time when the machine is shared (it leaves out waiting).
      rows.push({ name: `${label}: CPU time of the child processes per call`, value: cpu.sandboxed / calls, unit: 'ms', baseline: cpu.bare / calls, ratio: cpu.sandboxed / Math.max(cpu.bare, 0.01), note: `added ${((cpu.sandboxed - cpu.bare) / calls).toFixed(1)} ms CPU` });
      const bareMs = median(bare);
      const sandboxMs = median(sandboxed);
      rows.push({ name: `${label}: sandboxed call (ms, median of ${calls})`, value: sandboxMs, unit: 'ms', baseline: bareMs, ratio: sandboxMs / bareMs, note: `bare spawn ${bareMs.toFixed(1)} ms` });
      rows.push({ name: `${label}: added by the sandbox per call`, value: sandboxMs - bareMs, unit: 'ms', goal: `<= ${goalMs} ms`, note: sandboxMs - bareMs <= goalMs ? 'met' : 'NOT met' });
    }
    // The floor no bubblewrap sandbox can go under on this kernel: the same namespaces, one mount.
    const bwrapPath = execFileSync('sh', ['-c', 'command -v bwrap'], { encoding: 'utf8' }).trim();
    const floorArgs = ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', 'true'];
    const floor = [];
    const full = [];
    for (let call = 0; call < calls; call++) {
      floor.push(await once(bwrapPath, floorArgs, false));
      full.push(await once('true', [], true));
    }
    rows.push({ name: 'bare bwrap (namespaces, one mount) running true', value: median(floor), unit: 'ms', note: 'the kernel and bubblewrap floor' });
    rows.push({ name: 'our sandbox over that floor (mounts, masks, limits)', value: median(full) - median(floor), unit: 'ms' });
    // The layout walk alone (globs expanded against the workspace), the part that grows with file count.
    const { workspaceLayout } = await load('sandbox/layout.js');
    const walks = Array.from({ length: calls }, () => {
      const started = performance.now();
      workspaceLayout(sandboxPolicy(toolSet, 30_000));
      return performance.now() - started;
    });
    rows.push({ name: 'of which: read.deny/write.allow expansion (~320 files)', value: median(walks), unit: 'ms' });
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(`${row.name}: ${typeof row.value === 'number' ? row.value.toFixed(2) : row.value} ${row.unit}${row.baseline !== undefined ? ` (baseline ${row.baseline.toFixed(2)}, ratio ${row.ratio.toFixed(2)}x)` : ''}${row.note ? ` ${row.note}` : ''}`);
}
