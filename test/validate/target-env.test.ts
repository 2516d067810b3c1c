// Unset ${VAR}s (no default) are lint warnings everywhere, and run-time errors only for what the run's
// compiled target uses: its providers and models, its tools, its agents', layers' and template's files.

import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { prepareRun } from '../../src/run/prepare.js';
import { lintLines, materialize } from '../lint/corpus.js';

const providers = `# yaml-language-server: $schema=./schemas/providers.schema.json
version: 1
providers:
  anthropic: { type: anthropic }
  ollama: { type: ollama, base_url: "\${OLLAMA_HOST:-http://127.0.0.1:11434}" }
  deepseek: { type: openai-compatible, base_url: "\${AGENTPIPE_TEST_DEEPSEEK_URL}", api_key_env: DEEPSEEK_API_KEY }
models:
  anthropic/claude-sonnet-4-5: { pricing: { input: 3, output: 15 } }
  ollama/llama3.2: { pricing: { input: 0, output: 0 } }
  deepseek/deepseek-chat: { pricing: { input: 0.27, output: 1.1 } }
routes:
  default: [anthropic/claude-sonnet-4-5, ollama/llama3.2]
  local: [ollama/llama3.2]
`;

const remote = `# yaml-language-server: $schema=../schemas/agent.schema.json
version: 1
name: remote
model: deepseek/deepseek-chat
inputs:
  question: { type: string }
prompt:
  user: "{{inputs.question}}"
`;

async function project(): Promise<string> {
  const root = await materialize();
  await writeFile(path.join(root, 'providers.yaml'), providers);
  await writeFile(path.join(root, 'agents/remote.yaml'), remote);
  return root;
}

async function runErrors(root: string, file: string): Promise<string[]> {
  try {
    await prepareRun({ file, cwd: root, env: {}, inputFlags: file.startsWith('templates/') ? 'topic=y' : 'question=x' });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.diagnostics.map((diagnostic) => `${diagnostic.severity} ${diagnostic.file}:${diagnostic.line}:${diagnostic.col} ${diagnostic.message.split(' (')[0]}`);
  }
}

describe('unset env vars in run mode are scoped to the target', () => {
  test('lint warns; a run of an agent that does not use the provider is not refused', async () => {
    const root = await project();
    expect((await lintLines(root)).map((line) => line.split(' (')[0])).toEqual(['providers.yaml:6:50: warning: ${AGENTPIPE_TEST_DEEPSEEK_URL} is not set and has no default']);
    expect(await runErrors(root, 'agents/helper.yaml')).toEqual([]);
    expect(await runErrors(root, 'templates/flow.yaml')).toEqual([]);
  });

  test('a run of the agent whose provider needs it is refused (exit 2), naming the use', async () => {
    const root = await project();
    expect(await runErrors(root, 'agents/remote.yaml')).toEqual(['error providers.yaml:6:50 ${AGENTPIPE_TEST_DEEPSEEK_URL} is not set and has no default, and the run uses provider `deepseek`']);
    // --model moves a run onto the provider too.
    await expect(prepareRun({ file: 'agents/helper.yaml', cwd: root, env: {}, inputFlags: 'question=x', modelOverride: 'deepseek/deepseek-chat' })).rejects.toThrow(/the run uses provider `deepseek`/);
  });

  test('the target\'s own files, layers and tools count; other agents\' do not', async () => {
    const root = await project();
    const layerFile = path.join(root, 'agents/layers/persona/plain.yaml');
    await writeFile(layerFile, (await readFile(layerFile, 'utf8')).replace('Be brief.', 'Sign as ${AGENTPIPE_TEST_SIGNATURE}.'));
    const toolsFile = path.join(root, 'tools.yaml');
    await writeFile(toolsFile, (await readFile(toolsFile, 'utf8')).replace('["npm", "test", "--", "{{pattern}}"]', '["${AGENTPIPE_TEST_NPM}", "test", "--", "{{pattern}}"]'));
    await writeFile(path.join(root, 'agents/remote.yaml'), remote.replace('deepseek/deepseek-chat', 'local'));
    const errors = await runErrors(root, 'agents/helper.yaml');
    expect(errors.filter((line) => line.startsWith('error'))).toEqual(['error agents/layers/persona/plain.yaml:4:7 ${AGENTPIPE_TEST_SIGNATURE} is not set and has no default, and the run uses agents/layers/persona/plain.yaml']);
    expect(errors.filter((line) => line.startsWith('warning')).map((line) => line.split(' ')[1])).toEqual(['providers.yaml:6:50', 'tools.yaml:13:15']);
    expect(await runErrors(root, 'agents/remote.yaml')).toEqual([]);
    await writeFile(path.join(root, 'agents/remote.yaml'), remote.replace('deepseek/deepseek-chat', 'local').replace('prompt:', 'tools: [run_tests]\nprompt:'));
    expect((await runErrors(root, 'agents/remote.yaml')).filter((line) => line.startsWith('error'))).toEqual([
      'error tools.yaml:13:15 ${AGENTPIPE_TEST_NPM} is not set and has no default, and the run uses tool `run_tests`',
    ]);
  });
});
