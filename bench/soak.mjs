// `npm run soak`: the queue fault tests at the sizes the scale-out issue asks for (200 rows, 20
// worker SIGKILLs, 3 workers; Redis killed and restarted), which `npm test` runs smaller. Needs
// redis-server. Takes a few minutes; .ci/run calls it when this file exists.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const result = spawnSync(process.execPath, [`${root}node_modules/vitest/vitest.mjs`, 'run', 'test/queue/faults.test.ts'], { cwd: root, stdio: 'inherit', env: { ...process.env, AGENTPIPE_SOAK: '1' } });
process.exit(result.status ?? 1);
