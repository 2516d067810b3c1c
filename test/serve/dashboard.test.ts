// The dashboard in a real headless Chromium (Debian's, driven by playwright-core; no browser
// download): start a run from a sample in the catalogue, watch its events arrive live on the run
// page, see the runs list and the analytics charts, and keep a screenshot to look at.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCommands, which } from '../support/system.js';
import { startFixture, type ServeFixture } from './helpers.js';

const available = requireCommands('dashboard', { chromium: 'chromium' });
/** Where the screenshots go (kept after the run for a person to look at). */
export const screenshotDirectory = join(tmpdir(), 'agentpipe-dashboard-screenshots');

describe.skipIf(!available)('dashboard in headless Chromium', () => {
  let fixture: ServeFixture;
  let profile: string;
  let browser: import('playwright-core').BrowserContext;
  beforeAll(async () => {
    // 250 ms per model call: slow enough that events arrive one by one while the page watches.
    fixture = await startFixture({ latencyMs: 250 });
    profile = await mkdtemp(join(tmpdir(), 'agentpipe-chromium-'));
    const { chromium } = await import('playwright-core');
    // A fresh profile (--user-data-dir) per test run, passed the way playwright wants it.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: which('chromium')!,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
    await rm(profile, { recursive: true, force: true });
  });

  it('starts a run from the catalogue and shows its events live, then the runs list and analytics', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await page.goto(`${fixture.url}/#/catalogue`);
    const card = page.locator('form[data-entry="chain"]');
    await card.waitFor();
    expect(await card.textContent()).toContain('intermediate');
    // Search narrows the catalogue (the chain's description says "Three steps").
    await page.fill('input[type=search]', 'three');
    await page.locator('form[data-entry="worker"]').waitFor({ state: 'detached' });
    await page.locator('form[data-entry="chain"]').waitFor();
    await page.fill('input[type=search]', '');
    await page.locator('form[data-entry="worker"]').waitFor();
    // The worker agent's sample fills the form; start it.
    expect(JSON.parse(await page.locator('textarea[data-inputs="worker"]').inputValue())).toEqual({ task: 'say hello' });
    await page.locator('form[data-entry="chain"] button[type=submit]').click();
    await page.waitForURL(/#\/runs\/\d{8}-\d{6}-\d{3}-[0-9a-f]{6}$/);
    const runId = page.url().split('/').pop()!;
    expect(await page.locator('#run-id').textContent()).toBe(runId);

    // Events arrive while the run is going: the page holds some, but not yet the run's end.
    await page.locator('#events [data-event="step-start"]').first().waitFor();
    const early = await page.locator('#events > div').count();
    expect(await page.locator('#events [data-event="run-end"]').count()).toBe(0);
    await page.locator('#events [data-event="run-end"]').waitFor({ timeout: 30_000 });
    const total = await page.locator('#events > div').count();
    expect(total).toBeGreaterThan(early);
    await page.locator('h2 .status[data-status="succeeded"]').waitFor();
    expect(await page.locator('#timeline [data-step]').count()).toBe(3);
    expect(await page.locator('#outputs pre').textContent()).toContain('## last');
    await stat(screenshotDirectory).catch(() => import('node:fs/promises').then(({ mkdir }) => mkdir(screenshotDirectory, { recursive: true })));
    await page.screenshot({ path: join(screenshotDirectory, 'run.png'), fullPage: true });

    // The runs list shows the full id and its status.
    await page.goto(`${fixture.url}/#/runs`);
    const row = page.locator(`tr[data-run="${runId}"]`);
    await row.waitFor();
    expect(await row.locator('a').textContent()).toBe(runId);
    expect(await row.locator('.status').textContent()).toBe('succeeded');
    await page.screenshot({ path: join(screenshotDirectory, 'runs.png') });

    // Analytics: figures and two uPlot charts.
    await page.goto(`${fixture.url}/#/analytics`);
    await page.locator('#chart-runs canvas').waitFor();
    expect(await page.locator('#chart-cost canvas').count()).toBe(1);
    expect(await page.locator('.figure').first().textContent()).toMatch(/^1runs/);
    await page.screenshot({ path: join(screenshotDirectory, 'analytics.png'), fullPage: true });

    // An agent's card can continue a conversation thread; the run page shows it.
    await page.goto(`${fixture.url}/#/catalogue`);
    expect(await page.locator('input[data-thread="chain"]').count()).toBe(0);
    await page.fill('input[data-thread="worker"]', 'dash-thread-1');
    await page.locator('form[data-entry="worker"] button[type=submit]').click();
    await page.waitForURL((url) => /#\/runs\/\d{8}-\d{6}-\d{3}-[0-9a-f]{6}$/.test(url.hash) && !url.hash.endsWith(runId));
    expect(await page.locator('#run-thread').textContent()).toBe('dash-thread-1');

    expect(errors).toEqual([]);
  }, 90_000);

  it('asks for a key once keys exist, and works with one', async () => {
    const { key } = fixture.server.context.keys.create({ name: 'browser', role: 'viewer' });
    const page = await browser.newPage();
    await page.goto(`${fixture.url}/#/runs`);
    await page.locator('#notice:not([hidden])').waitFor();
    expect(await page.locator('#notice').textContent()).toMatch(/needs credentials/);
    await page.fill('#key', key);
    await page.click('#key-form button');
    await page.locator('#runs tr[data-run]').first().waitFor();
    // The key stays in the browser: a viewer cannot start runs.
    await page.goto(`${fixture.url}/#/catalogue`);
    await page.locator('form[data-entry="chain"] button[type=submit]').click();
    await page.locator('form[data-entry="chain"] .error:not(:empty)').waitFor();
    expect(await page.locator('form[data-entry="chain"] .error').textContent()).toMatch(/runner role/);
  }, 60_000);
});
