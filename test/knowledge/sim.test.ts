// `run --sim` on an agent with knowledge, with no key: the index is built with the simulator's
// embeddings in a store of its own (the real one is never written), the passages reach the prompt,
// a thread continued with --sim shows under `memory list --sim`, not in the real store.

import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../e2e/helpers.js';
import { makeKnowledgeProject } from './helpers.js';

let root: string;
/** No key at all, and no address of any vendor: only the built-in simulator can answer. */
const env = (): NodeJS.ProcessEnv => ({ PATH: process.env['PATH'], HOME: process.env['HOME'] });

beforeAll(async () => {
  root = await makeKnowledgeProject();
});
afterAll(async () => rm(root, { recursive: true, force: true }));

describe('run --sim with knowledge and no key', () => {
  it('indexes into the simulated store, retrieves passages, and never touches the real store', async () => {
    const result = await runCli(['run', 'agents/support.yaml', '--sim', '--thread', 'sim-t1', '--input', 'question=How do refunds work?'], { cwd: root, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("indexed with the simulator's embeddings");
    expect(result.stderr).toMatch(/knowledge: \d+ passage\(s\) from docs\//);
    expect(result.stderr).toContain('[simulated]');
    expect(result.stderr).not.toContain('[REDACTED]');
    expect(existsSync(join(root, '.agentpipe', 'sim-store.db'))).toBe(true);
    expect(existsSync(join(root, '.agentpipe', 'store.db'))).toBe(false);
    // The second run finds the simulated index up to date: nothing to index again.
    const again = await runCli(['run', 'agents/support.yaml', '--sim', '--input', 'question=refund window?'], { cwd: root, env: env() });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('indexed with');
  });

  it('keeps simulated threads apart: memory list --sim shows them, memory list does not', async () => {
    const simulated = await runCli(['memory', 'list', '--sim', '--json'], { cwd: root, env: env() });
    expect(simulated.code).toBe(0);
    const threads = (JSON.parse(simulated.stdout) as { threads: { id: string }[] }).threads.map((thread) => thread.id);
    expect(threads).toContain('sim-t1');
    const real = await runCli(['memory', 'list', '--json'], { cwd: root, env: env() });
    expect((JSON.parse(real.stdout) as { threads: unknown[] }).threads).toEqual([]);
    // The question asked in the simulated thread is in the simulated file only.
    expect((await readFile(join(root, '.agentpipe', 'sim-store.db'))).includes('How do refunds work?')).toBe(true);
  });
});
