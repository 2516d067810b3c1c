// Four fake keys under four unusual variable names (none of them matched by the old name-based
// redaction, or matched only by accident), run through the real CLI against the simulator with tools,
// an echoing provider, a recorded cassette and the audit log: no key may appear, plain, hex or base64,
// in stdout, stderr, any file under .agentpipe/ or the cassette.

import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { agentYaml, makeProject, runCli, simEnv } from '../e2e/helpers.js';

const keys = {
  AZURE_OPENAI_KEY: 'az-7Qm2Xc9Lp4Rt8Vw1Yz6Bn3Hj5Kd0FgSa',
  MY_WEIRD_TOKEN_HOLDER: 'wt-Zx8Cv7Bn6Mq5Wr4Et3Yu2Io1Pa0SdFg',
  QUUX_CRED_BLOB: 'qx-Lk9Jh8Gf7Ds6Ap5Zo4Xi3Cu2Vy1BtNm',
  GATEWAY_PASSPHRASE_VALUE: 'gw-Pq1Wo2Ei3Ru4Ty5Ui6Op7As8Df9GhJk',
};
const values = Object.values(keys);

/** Every form a key must not take: plain, hex (both cases), base64 and base64url at each alignment. */
function forms(value: string): string[] {
  const bytes = Buffer.from(value);
  const out = [value, bytes.toString('hex'), bytes.toString('hex').toUpperCase()];
  for (const shift of [0, 1, 2]) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const fragment = padded.toString('base64').slice(Math.ceil((shift * 4) / 3), Math.floor((padded.length * 4) / 3));
    out.push(fragment, fragment.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return out;
}

async function allFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

let sim: Simulator;
let root: string;
beforeAll(async () => {
  sim = await startSimulator();
  const providers = `version: 1
providers:
  azure: { type: openai-compatible, base_url: "${'${SIM_URL}'}/v1", api_key_env: AZURE_OPENAI_KEY }
  weird: { type: anthropic, api_key_env: MY_WEIRD_TOKEN_HOLDER, headers: { x-gateway-pass: "${'${GATEWAY_PASSPHRASE_VALUE}'}" } }
  quux: { type: gemini, api_key_env: QUUX_CRED_BLOB }
models:
  azure/gpt-test: { pricing: { input: 1, output: 1 } }
  weird/claude-test: { pricing: { input: 1, output: 1 } }
  quux/gemini-test: { pricing: { input: 1, output: 1 } }
routes:
  main: [weird/claude-test, azure/gpt-test, quux/gemini-test]
retry: { attempts: 1, initial_delay: 10ms, max_delay: 50ms, honor_retry_after: false }
fallback: { on: [rate_limited, overloaded, server_error, timeout, network, unavailable, auth] }
`;
  root = await makeProject({
    'providers.yaml': providers,
    'agents/leaky.yaml': agentYaml('leaky', { tools: ['read', 'grep'] }),
    // A workspace file the model may read that holds every key, plain, and base64 wrapped like `base64` does.
    'src/notes.txt': `${values.join('\n')}\n${Buffer.from(values.join(' ')).toString('base64').replace(/(.{76})/g, '$1\n')}\n`,
  });
});
afterAll(async () => {
  await sim.close();
  await rm(root, { recursive: true, force: true });
});

describe('secrets are redacted by value, whatever variable holds them', () => {
  it('0 occurrences of 4 keys (plain, hex, base64) in stdout, stderr, .agentpipe/ and the cassette', async () => {
    const env = { ...simEnv(sim.url, {}), SIM_URL: sim.url, ...keys };
    const outputs: string[] = [];
    for (const json of [false, true]) {
      // The first model's error echoes the credential it was sent; the fallback reads the notes, greps
      // for a key, then answers with every key plain, hex and base64, split over stream chunks.
      sim.setFault({ kind: 'rate-limit', model: 'claude-test', echoKey: true, times: 1 });
      const encoded = values.flatMap((value) => [value, Buffer.from(value).toString('hex'), Buffer.from(`k=${value}`).toString('base64')]).join(' ');
      sim.enqueue(
        { toolCalls: [{ name: 'read', input: { path: 'src/notes.txt' } }, { name: 'grep', input: { pattern: values[2]! } }] },
        { text: [`Here: ${encoded.slice(0, 50)}`, encoded.slice(50)] },
      );
      const cassette = join(root, `.agentpipe/cassette-${json ? 'json' : 'text'}.json`);
      const result = await runCli(['run', 'agents/leaky.yaml', '--input', `task=use ${values[3]}`, '--record', cassette, ...(json ? ['--json'] : [])], { cwd: root, env });
      expect(result.stderr).not.toMatch(/internal error/);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('[REDACTED]');
      outputs.push(result.stdout, result.stderr);
    }
    // The headers value and keys did reach the provider: redaction is of output, not of the call.
    expect(JSON.stringify(sim.requests.map((request) => request.headers))).toContain(keys.GATEWAY_PASSPHRASE_VALUE);
    const files = await allFiles(join(root, '.agentpipe'));
    for (const name of ['audit.jsonl', 'events.jsonl', 'run.json', 'cassette-json.json', 'cassette-text.json']) expect(files.some((file) => file.endsWith(name))).toBe(true);
    expect(files.some((file) => file.includes(`${join('steps', '')}`))).toBe(true);
    const texts = [...outputs, ...(await Promise.all(files.map((file) => readFile(file, 'utf8'))))];
    let occurrences = 0;
    for (const text of texts) for (const value of values) for (const form of forms(value)) if (text.includes(form)) occurrences += 1;
    expect(occurrences).toBe(0);
  });

  it('models and explain print no key, and lint refuses a ${…} in api_key_env without printing its value (exit 2)', async () => {
    const env = { ...simEnv(sim.url, {}), SIM_URL: sim.url, ...keys };
    const printed: string[] = [];
    for (const args of [['models'], ['explain', 'agents/leaky.yaml'], ['lint']]) {
      const result = await runCli(args, { cwd: root, env });
      expect(result.stderr).not.toMatch(/internal error/);
      printed.push(result.stdout, result.stderr);
    }
    const bad = await makeProject({
      'providers.yaml': `version: 1\nproviders:\n  mistral: { type: openai-compatible, base_url: "http://127.0.0.1:9/v1", api_key_env: "\${AZURE_OPENAI_KEY}" }\nmodels:\n  mistral/m: { pricing: { input: 1, output: 1 }, max_tokens: "\${MY_WEIRD_TOKEN_HOLDER}" }\n`,
      'agents/a.yaml': agentYaml('a', { model: 'mistral/m' }),
    });
    try {
      for (const args of [['lint'], ['models'], ['explain', 'agents/a.yaml'], ['run', 'agents/a.yaml', '--input', 'task=x']]) {
        const result = await runCli(args, { cwd: bad, env });
        expect(result.stderr).not.toMatch(/internal error/);
        if (args[0] === 'lint' || args[0] === 'run') expect(result.code).toBe(2);
        printed.push(result.stdout, result.stderr);
      }
      const lint = await runCli(['lint'], { cwd: bad, env });
      expect(lint.stdout + lint.stderr).toContain('${AZURE_OPENAI_KEY}');
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
    for (const text of printed) for (const value of values) expect(text).not.toContain(value);
  });
});
