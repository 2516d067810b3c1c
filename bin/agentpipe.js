#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the `prepare` script).
import { readFileSync } from 'node:fs';
import module from 'node:module';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(`agentpipe needs Node.js >= 22.13 and this is ${process.version}: install Node 24 (nvm install 24, or https://nodejs.org), then run the command again.\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
// A bare --help is served from the text the build rendered (scripts/help-snapshot.mjs), so the
// commonest first command costs no more than a plain `node` start.
if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
  try {
    process.stdout.write(readFileSync(new URL('../dist/cli/help.txt', import.meta.url), 'utf8'));
    process.exit(0);
  } catch {
    // No snapshot (a partial build): fall through to the full CLI.
  }
}
// `serve` is a long-lived process: its HTTP thread gets a heap limit (`--heap <MiB>`, default 128),
// so V8 collects instead of growing the heap under load. The limit can only be set at start, so
// the launcher replaces itself (same pid, same stdio) with node --max-old-space-size=<MiB>, where
// this Node has process.execve (>= 23.11) and no limit was given by the caller (NODE_OPTIONS or
// node's own flags). Run worker threads get theirs from --worker-heap.
// The young generation gets 16 MiB semi-spaces too: V8 sizes it from the old-generation limit, and
// under 128 MiB that leaves 1 MiB, so under load every request's objects outlived a scavenge,
// were promoted, and the HTTP thread spent ~40% of its time in mark-compacts (serve bench: 237 of
// them in 30 s, 3.6 s of pauses; with 16 MiB semi-spaces, 7 and 0.1 s, and a lower peak RSS).
if (args[0] === 'serve' && typeof process.execve === 'function' && !process.env.AGENTPIPE_SERVE_HEAP_SET) {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const given = (name) => flags.some((flag) => flag.startsWith(name));
  const at = args.findIndex((arg) => arg === '--heap' || arg.startsWith('--heap='));
  const heap = at < 0 ? '128' : args[at].includes('=') ? args[at].slice('--heap='.length) : args[at + 1];
  const added = [
    ...(!given('--max-old-space-size') && /^\d+$/.test(heap ?? '') && Number(heap) >= 32 ? [`--max-old-space-size=${heap}`] : []),
    ...(given('--max-semi-space-size') ? [] : ['--max-semi-space-size=16']),
  ];
  if (added.length > 0) process.execve(process.execPath, [process.execPath, ...added, ...process.execArgv, process.argv[1], ...args], { ...process.env, AGENTPIPE_SERVE_HEAP_SET: heap ?? '' });
}
// Node's on-disk compile cache (in the OS temp dir) saves re-parsing our modules on every start.
module.enableCompileCache?.();
import('../dist/cli/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/main.js')) {
    process.stderr.write('agentpipe: the build is missing. Run `npm run build` (or `npm ci`, which builds) first.\n');
    process.exit(2);
  }
  throw error;
});
