// Records the cassettes of the example tests (tests/*.yaml) against the built-in wire simulator,
// answering each example agent by a phrase of its system prompt (scripts/example-answers.json).
// Run after a change to an example's prompt: `npm run build && node scripts/record-example-tests.mjs`.
// Nothing leaves 127.0.0.1: every provider and the search engine point at the simulator.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../dist/sim/server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const script = JSON.parse(readFileSync(`${root}scripts/example-answers.json`, 'utf8'));
const simulator = await startSimulator({ port: 0, script });
const url = simulator.url;
if (process.argv.includes('--fresh')) rmSync(`${root}tests/cassettes`, { recursive: true, force: true });
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  ANTHROPIC_API_KEY: 'recording-against-the-simulator-anthropic',
  OPENAI_API_KEY: 'recording-against-the-simulator-openai',
  GEMINI_API_KEY: 'recording-against-the-simulator-gemini',
  ANTHROPIC_BASE_URL: url,
  OPENAI_BASE_URL: `${url}/v1`,
  GOOGLE_GEMINI_BASE_URL: url,
  OLLAMA_HOST: url,
  AGENTPIPE_DDG_URL: `${url}/ddg`,
};
// Not spawnSync: the simulator answers from this process's event loop.
const child = spawn(process.execPath, [`${root}bin/agentpipe.js`, 'test', '--update', '--concurrency', '1'], { cwd: root, env, stdio: 'inherit' });
const code = await new Promise((resolve) => child.on('close', (status) => resolve(status ?? 1)));
await simulator.close();
process.exit(code);
