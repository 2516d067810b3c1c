import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// End-to-end tests spawn bin/agentpipe.js, which runs dist/. Build once (the same steps as
// `npm run build`) so they never test stale code. A type error does not stop the emit;
// test/typecheck.test.ts is what fails on it.
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const build = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) process.stderr.write(`[global-setup] build reported errors:\n${build.stdout}${build.stderr}\n`);
  const snapshot = spawnSync(process.execPath, [`${root}scripts/help-snapshot.mjs`], { cwd: root, encoding: 'utf8' });
  if (snapshot.status !== 0) process.stderr.write(`[global-setup] help snapshot failed:\n${snapshot.stderr}\n`);
}
