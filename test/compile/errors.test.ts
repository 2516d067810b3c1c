import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/compile.js';
import { ConfigError, type Diagnostic } from '../../src/errors.js';
import { fixturesDir, loadFixtureProject } from './project.js';

const badFixture = `${fixturesDir}bad`;

async function diagnosticsOf(target: { kind: 'agent' | 'template'; name: string }): Promise<Diagnostic[]> {
  const config = await loadFixtureProject(badFixture);
  try {
    compile(config, target);
  } catch (error) {
    if (error instanceof ConfigError) return error.diagnostics;
    throw error;
  }
  throw new Error('compile did not fail');
}

describe('compile errors', () => {
  it('refuses an agent that tries to widen its permissions, pointing at each widening', async () => {
    const diagnostics = await diagnosticsOf({ kind: 'agent', name: 'widener' });
    const widen = diagnostics.filter((diagnostic) => diagnostic.code === 'permissions/widen');
    expect(widen.map((diagnostic) => [diagnostic.file, diagnostic.line])).toEqual([
      ['agents/widener.yaml', 8],
      ['agents/widener.yaml', 8],
      ['agents/widener.yaml', 9],
    ]);
    expect(widen[0]!.message).toMatch(/"\*\*" is not within the defaults \(docs\/\*\*\)/);
    expect(diagnostics.find((diagnostic) => diagnostic.code === 'ref/tool')).toMatchObject({ line: 6, message: expect.stringContaining('"shell"') });
  });

  it('reports a partial cycle, an unknown helper and an undeclared input together', async () => {
    const codes = (await diagnosticsOf({ kind: 'agent', name: 'cycler' })).map((diagnostic) => diagnostic.code).sort();
    expect(codes).toEqual(['ref/partial-cycle', 'template/helper', 'template/unknown-variable', 'template/unknown-variable']);
  });

  it('reports step cycles, unknown agents and steps read without needing them', async () => {
    const diagnostics = await diagnosticsOf({ kind: 'template', name: 'tangled' });
    const messages = diagnostics.map((diagnostic) => `${diagnostic.code} ${diagnostic.line}`);
    expect(messages).toContain('ref/agent 12');
    expect(messages).toContain('ref/cycle 4');
    expect(diagnostics.some((diagnostic) => diagnostic.code === 'template/unknown-variable' && diagnostic.message.includes('steps.three'))).toBe(true);
    expect(diagnostics.some((diagnostic) => diagnostic.code === 'ref/input' && diagnostic.message.includes('"nothing"'))).toBe(true);
  });
});
