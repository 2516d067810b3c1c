// The start-up check of long-running processes (worker, serve): which routes of the whole config
// repo this process can call. Keys are looked up; nothing is called.

import { describe, expect, it } from 'vitest';
import { checkProjectChains } from '../../src/run/project-availability.js';
import { makeProject } from '../e2e/helpers.js';

const files = {
  'providers.yaml': 'version: 1\nproviders:\n  anthropic: { type: anthropic }\nmodels:\n  anthropic/claude-test: { pricing: { input: 3, output: 15 } }\nroutes:\n  main: [anthropic/claude-test]\n',
  'agents/a.yaml': 'version: 1\nname: a\nmodel: main\nprompt: { user: "hi" }\n',
  'agents/b.yaml': 'version: 1\nname: b\nmodel: main\nprompt: { user: "hi" }\n',
};

describe('checkProjectChains', () => {
  it('warns once, naming the key, the route and the agents, when no key is set', async () => {
    const root = await makeProject(files);
    const { warning } = await checkProjectChains(root, { PATH: process.env['PATH'] });
    expect(warning).toContain('ANTHROPIC_API_KEY');
    expect(warning).toContain('route(s) main');
    expect(warning).toMatch(/a, b|b, a/);
  });

  it('says nothing when the key is set, and never prints the key', async () => {
    const root = await makeProject(files);
    const result = await checkProjectChains(root, { PATH: process.env['PATH'], ANTHROPIC_API_KEY: 'sk-test-never-printed-123' });
    expect(result.warning).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain('sk-test-never-printed-123');
  });
});
