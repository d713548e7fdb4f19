// The console's Emergencies section in a real browser (issue #18): Debian's chromium, headless, driven by
// playwright-core. The admin signs in and opens Emergencies (filtered to high urgency); the request shows
// as dispatched; the script prints READY and the test has a worker accept it through the API; the row
// must turn `accepted` on its own (the console's socket, no reload). Then the detail page lists the
// dispatch log and an admin's status change with notes is saved. Started by tests-e2e (helpnow.rs).
// Environment: GATEWAY_URL, ADMIN_EMAIL, ADMIN_PASSWORD, EMERGENCY_ID, ASKED (workers notified),
// SHOT_DIR, CHROMIUM (default /usr/bin/chromium).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const env = name => {
  const v = process.env[name];
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};
const base = env('GATEWAY_URL');
const id = env('EMERGENCY_ID');
const shots = env('SHOT_DIR');
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
let page;
try {
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(`${base}/admin/`);
  await page.fill('input[name="email"]', env('ADMIN_EMAIL'));
  await page.fill('input[name="password"]', env('ADMIN_PASSWORD'));
  await page.click('button[type="submit"]');
  await page.waitForSelector('[data-stat="users_worker"]');
  await page.waitForFunction(() => document.body.dataset.live === 'on', null, { timeout: 10000 });

  await page.click('a[data-nav="emergencies"]');
  await page.waitForSelector('#view[data-list="emergencies"]');
  await page.selectOption('select[name="urgency_level"]', 'high');
  const row = `tbody tr[data-id="${id}"]`;
  await page.waitForSelector(row);
  assert.match(await page.textContent(row), /dispatched/);
  await page.evaluate(() => { window.sameDocument = true; });
  console.log('READY');

  // The test accepts now; the row changes without a reload.
  await page.waitForFunction(sel => /accepted/.test(document.querySelector(sel)?.textContent || ''), row, { timeout: 15000 });
  assert.equal(await page.evaluate(() => window.sameDocument), true, 'the page was not reloaded');
  assert.ok(Number(await page.evaluate(() => document.body.dataset.liveUpdates)) >= 1);
  await page.screenshot({ path: join(shots, 'emergencies.png'), fullPage: true });
  console.log('browser: the list turned accepted live');

  await page.click(row);
  await page.waitForSelector('[data-table="dispatch_logs"] tbody tr');
  const logs = await page.$$eval('[data-table="dispatch_logs"] tbody tr', rows => rows.map(r => r.textContent));
  assert.equal(logs.length, Number(env('ASKED')), `dispatch log rows: ${logs}`);
  assert.equal(logs.filter(l => /accepted/.test(l)).length, 1, `one accepted: ${logs}`);
  await page.selectOption('#view form select[name="status"]', 'resolved');
  await page.fill('#view form textarea[name="notes"]', 'Pipe fixed, customer called back');
  await page.click('#view form button[type="submit"]');
  await page.waitForFunction(() => [...document.querySelectorAll('#view dd')].some(d => d.textContent === 'resolved'));
  assert.match(await page.textContent('#view dl'), /Pipe fixed, customer called back/);
  await page.screenshot({ path: join(shots, 'emergency-detail.png'), fullPage: true });
  console.log('browser: dispatch log shown, resolved with notes');
  assert.deepEqual(errors, []);
} catch (e) {
  if (page) await page.screenshot({ path: join(shots, 'emergency-failure.png'), fullPage: true }).catch(() => {});
  throw e;
} finally {
  await browser.close();
}
