#!/usr/bin/env node
// `node dist/sim/cli.js [--port 0] [--script file.json]`: starts the wire simulator and prints
// `{"url": "...", "port": N}` as one JSON line on stdout. The script comes from --script, or from
// AGENTPIPE_SIM_SCRIPT (a file path or inline JSON). SIGTERM/SIGINT close it.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSimulator } from './server.js';
import type { Script } from './script.js';

function loadScript(source: string | undefined): Script | undefined {
  if (!source) return undefined;
  const text = source.trimStart().startsWith('{') || source.trimStart().startsWith('[') ? source : readFileSync(source, 'utf8');
  return JSON.parse(text) as Script;
}

const embeddingDims = (): number | undefined => {
  const value = Number(values['embedding-dims'] ?? process.env.AGENTPIPE_SIM_EMBEDDING_DIMS);
  return Number.isInteger(value) && value > 0 ? value : undefined;
};
const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, script: { type: 'string' }, 'embedding-dims': { type: 'string' } } });
const simulator = await startSimulator({ port: Number(values.port), script: loadScript(values.script ?? process.env.AGENTPIPE_SIM_SCRIPT),
  ...(embeddingDims() ? { embeddingDimensions: embeddingDims() } : {}),
});
process.stdout.write(`${JSON.stringify({ url: simulator.url, port: simulator.port })}\n`);
const stop = () => void simulator.close();
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
