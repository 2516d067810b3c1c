// Build step: renders `agentpipe --help` once into dist/cli/help.txt so that bin/agentpipe.js can
// answer a bare `--help` without loading the CLI's module graph (startup is most of its cost).
// test/cli/help.test.ts checks the snapshot equals the live output, so it cannot drift.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const help = execFileSync(process.execPath, [`${root}dist/cli/main.js`, '--help'], { encoding: 'utf8', env: { ...process.env, AGENTPIPE_NO_HELP_SNAPSHOT: '1' } });
writeFileSync(`${root}dist/cli/help.txt`, help);
