// Whole-process timing shared by the benches: the median wall time of `node <args>` over `runs`
// runs, after one unmeasured run that warms the file cache.
import { spawnSync } from 'node:child_process';

function timeProcess(args, cwd) {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  const elapsed = performance.now() - start;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stdout}${result.stderr}`);
  return elapsed;
}

/** Median milliseconds of `node <args>` run in `cwd`; throws when a run exits non-zero. */
export function medianProcessMs(args, cwd, runs = 7) {
  timeProcess(args, cwd);
  const samples = Array.from({ length: runs }, () => timeProcess(args, cwd)).sort((left, right) => left - right);
  return samples[Math.floor(samples.length / 2)];
}
