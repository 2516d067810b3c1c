import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { agentYaml, fakeKeys, makeProject, runCli, simEnv } from './helpers.js';

async function allFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

let sim: Simulator;
let root: string;
beforeAll(async () => {
  sim = await startSimulator();
  root = await makeProject({
    'agents/leaky.yaml': agentYaml('leaky', { tools: ['read', 'grep'] }),
    // The Anthropic key comes only from the project's .env; the OpenAI key from the environment.
    '.env': `ANTHROPIC_API_KEY=${fakeKeys.ANTHROPIC_API_KEY}\n`,
    'src/a.txt': 'nothing secret here',
  });
});
afterAll(async () => {
  await sim.close();
  await rm(root, { recursive: true, force: true });
});

describe('secrets', () => {
  it('never reach run files, stdout or stderr, even when a provider or the model echoes them', async () => {
    const keys = [fakeKeys.ANTHROPIC_API_KEY, fakeKeys.OPENAI_API_KEY];
    const outputs: string[] = [];
    for (const json of [false, true]) {
      // The first model's 429 error message carries the key it was sent; then the fallback model tries to
      // read .env (denied) and finally answers with both keys in its text.
      sim.setFault({ kind: 'rate-limit', model: 'claude-test', echoKey: true, times: 1 });
      sim.enqueue(
        { toolCalls: [{ name: 'read', input: { path: '.env' } }, { name: 'grep', input: { pattern: keys[1]! } }] },
        // Streamed in chunks that split the first key in two.
        { text: [`The keys are ${keys[0]!.slice(0, 12)}`, `${keys[0]!.slice(12)} and ${keys[1]}.`] },
      );
      const env = { ...simEnv(sim.url, { OPENAI_API_KEY: fakeKeys.OPENAI_API_KEY }) };
      const result = await runCli(['run', 'agents/leaky.yaml', '--input', `task=use ${keys[1]}`, ...(json ? ['--json'] : [])], { cwd: root, env });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('[REDACTED]');
      outputs.push(result.stdout, result.stderr);
    }
    const files = await allFiles(join(root, '.agentpipe'));
    expect(files.some((file) => file.endsWith('audit.jsonl'))).toBe(true);
    expect(files.some((file) => file.endsWith('events.jsonl'))).toBe(true);
    const texts = [...outputs, ...(await Promise.all(files.map((file) => readFile(file, 'utf8'))))];
    expect(texts.join('\n')).toContain('denied');
    for (const text of texts) for (const key of keys) expect(text).not.toContain(key);
  });
});
