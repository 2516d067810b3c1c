import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// End-to-end tests spawn bin/agentpipe.js, which runs dist/. Build once so they never test stale code.
// A type error does not stop the emit; test/typecheck.test.ts is what fails on it.
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const result = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) process.stderr.write(`[global-setup] build reported errors:\n${result.stdout}${result.stderr}\n`);
}
