// The price catalogue: the bundled snapshot matches the installed @pydantic/genai-prices, the check
// finds differences and outdated as_of dates, `models --check-prices` runs with every network
// call made impossible, and `models --update-prices` rewrites prices keeping comments.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCatalogue, findModel, priceOn } from '../../src/cost/catalogue.js';
import { priceCatalogue } from '../../src/cost/generated/price-catalogue.js';
import { checkPrices } from '../../src/cost/price-check.js';
import type { ProvidersFile } from '../../src/validate/types.gen.js';
import { makeProject, repoRoot } from '../e2e/helpers.js';

const bin = join(repoRoot, 'bin', 'agentpipe.js');
const cli = (args: string[], cwd: string, nodeOptions = '') =>
  spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env['PATH'], HOME: process.env['HOME'], NODE_OPTIONS: nodeOptions } });

const providers = (pricing: Record<string, unknown>): ProvidersFile =>
  ({ version: 1, providers: { anthropic: { type: 'anthropic' }, ollama: { type: 'ollama' } }, models: { 'anthropic/claude-haiku-4-5': { pricing }, 'ollama/llama3.2': { pricing: { input: 0, output: 0 } } } }) as unknown as ProvidersFile;

describe('price catalogue', () => {
  it('the bundled snapshot is what the installed package holds (npm run gen:prices rewrites it)', async () => {
    const fresh = await buildCatalogue();
    expect(priceCatalogue.source).toBe(fresh.source);
    expect(JSON.stringify(priceCatalogue.providers)).toBe(JSON.stringify(fresh.providers));
  }, 60_000);

  it('finds models by id and by the catalogue match rules, and dates price changes', () => {
    const sonnet = findModel(priceCatalogue, 'anthropic', 'claude-sonnet-4-6');
    expect(sonnet).toBeDefined();
    expect(priceOn(sonnet!, '2026-12-01')).toMatchObject({ input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 });
    expect(findModel(priceCatalogue, 'anthropic', 'claude-haiku-4-5-20251001')?.id).toBe('claude-haiku-4-5');
    expect(findModel(priceCatalogue, 'anthropic', 'no-such-model')).toBeUndefined();
  });

  it('reports a differing price, an outdated as_of, a deliberate difference and local models', () => {
    const today = '2026-12-01';
    const [wrong, local] = checkPrices(providers({ input: 1.5, output: 5, as_of: '2026-11-01' }), priceCatalogue, today);
    expect(wrong).toMatchObject({ model: 'anthropic/claude-haiku-4-5', status: 'differs' });
    expect(wrong!.differences).toContainEqual({ field: 'input', ours: 1.5, catalogue: 1 });
    // Cache prices the file leaves out are differences too: estimates would price them as input.
    expect(wrong!.differences.map((difference) => difference.field)).toEqual(['input', 'cache_read', 'cache_write']);
    expect(local).toMatchObject({ model: 'ollama/llama3.2', status: 'local' });
    const same = checkPrices(providers({ input: 1, output: 5, cache_read: 0.1, cache_write: 1.25, as_of: today }), priceCatalogue, today)[0];
    expect(same).toMatchObject({ status: 'same', differences: [] });
    const acknowledged = checkPrices(providers({ input: 1.5, output: 5, check_catalogue: false }), priceCatalogue, today)[0];
    expect(acknowledged).toMatchObject({ status: 'differs', acknowledged: true });
    // Sonnet 4.6's price changed on a date the catalogue records: an older as_of is outdated.
    const sonnet = { version: 1, providers: { anthropic: { type: 'anthropic' } }, models: { 'anthropic/claude-sonnet-4-6': { pricing: { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75, as_of: '2025-01-01' } } } } as unknown as ProvidersFile;
    const changedOn = priceOn(findModel(priceCatalogue, 'anthropic', 'claude-sonnet-4-6')!, today).changedOn;
    const [stale] = checkPrices(sonnet, priceCatalogue, today);
    if (changedOn) expect(stale).toMatchObject({ status: 'stale', changedOn });
    else expect(stale).toMatchObject({ status: 'same' });
  });
});

describe('models --check-prices / --update-prices', () => {
  it('checks offline (sockets, DNS and fetch throw), lint warns, and --update-prices keeps comments', async () => {
    const guardDir = await mkdtemp(join(tmpdir(), 'agentpipe-offline-'));
    const guard = join(guardDir, 'no-network.mjs');
    await writeFile(
      guard,
      `import net from 'node:net'; import dns from 'node:dns';
const refuse = () => { throw new Error('network used'); };
net.Socket.prototype.connect = refuse; dns.lookup = refuse; dns.promises.lookup = refuse; globalThis.fetch = refuse;\n`,
    );
    const root = await makeProject({});
    try {
      const file = join(root, 'providers.yaml');
      const original = (await readFile(file, 'utf8')).replace(
        'anthropic/claude-test: { pricing: { input: 3.00, output: 15.00 } }',
        '# the comment above haiku\n  anthropic/claude-haiku-4-5: { pricing: { input: 2.00, output: 5.00 } }   # trailing comment\n  anthropic/claude-test: { pricing: { input: 3.00, output: 15.00 } }',
      );
      await writeFile(file, original);
      const check = cli(['models', '--check-prices', '--json'], root, `--import ${guard}`);
      expect(check.stderr).toBe('');
      expect(check.status).toBe(0);
      const report = JSON.parse(check.stdout) as { source: string; models: Array<{ model: string; status: string }> };
      expect(report.source).toMatch(/^@pydantic\/genai-prices \d/);
      expect(report.models.find((model) => model.model === 'anthropic/claude-haiku-4-5')?.status).toBe('differs');
      expect(report.models.find((model) => model.model === 'anthropic/claude-test')?.status).toBe('unknown');

      const lint = cli(['lint'], root);
      expect(lint.stdout).toMatch(/providers\.yaml:\d+:\d+: warning: `anthropic\/claude-haiku-4-5` is priced differently from @pydantic\/genai-prices/);
      expect(lint.status).toBe(0);

      const update = cli(['models', '--update-prices'], root, `--import ${guard}`);
      expect(update.status, update.stderr).toBe(0);
      expect(update.stdout).toContain('updated 1 model(s) in providers.yaml');
      const rewritten = await readFile(file, 'utf8');
      expect(rewritten).toContain('# the comment above haiku');
      expect(rewritten).toContain('# trailing comment');
      expect(rewritten).toContain('# yaml-language-server: $schema=./schemas/providers.schema.json');
      expect(rewritten).toMatch(/anthropic\/claude-haiku-4-5: \{ pricing: \{ input: 1(\.00)?, output: 5\.00, cache_read: 0\.1, cache_write: 1\.25, source: "?@pydantic\/genai-prices [^,]+"?, as_of: "?\d{4}-\d{2}-\d{2}"? \} \}/);
      // Everything else is byte for byte what it was.
      expect(rewritten.replace(/^.*claude-haiku-4-5.*$/m, '')).toBe(original.replace(/^.*claude-haiku-4-5.*$/m, ''));
      expect(cli(['lint'], root).stdout).not.toContain('priced differently');
    } finally {
      await Promise.all([rm(root, { recursive: true, force: true }), rm(guardDir, { recursive: true, force: true })]);
    }
  }, 60_000);
});
