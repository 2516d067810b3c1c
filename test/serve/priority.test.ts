// serve's HTTP thread answers first on Linux: the libuv thread pool (file work for runs) gets nice 10,
// and nothing else of the process changes. Checked in a child process, so this one keeps its priorities.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const script = `
import { readFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
const { niceIoThreads } = await import(process.argv[1]);
await readFile(process.argv[1]); // starts the thread pool
const count = niceIoThreads();
const threads = readdirSync('/proc/self/task').map((task) => ({ name: readFileSync('/proc/self/task/' + task + '/comm', 'utf8').trim(), nice: getPriority(Number(task)) }));
process.stdout.write(JSON.stringify({ count, threads }));
`;

describe.runIf(process.platform === 'linux')('serve thread priorities', () => {
  it('gives the libuv thread pool nice 10 and leaves the main thread alone', () => {
    const module = new URL('../../dist/serve/priority.js', import.meta.url).pathname;
    const { count, threads } = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, module], { encoding: 'utf8' })) as { count: number; threads: Array<{ name: string; nice: number }> };
    const pool = threads.filter((thread) => thread.name === 'libuv-worker');
    expect(pool.length).toBeGreaterThan(0);
    expect(count).toBe(pool.length);
    expect(pool.every((thread) => thread.nice === 10)).toBe(true);
    // The rest keep the priority the process started with (0, unless the tests themselves run niced).
    const others = threads.filter((thread) => thread.name !== 'libuv-worker');
    expect(others.every((thread) => thread.nice === others[0]!.nice)).toBe(true);
  });
});
