// The console's charts and Analytics section in a real browser (issue #19): Debian's chromium, headless,
// driven by playwright-core. The admin signs in; each chart of the home page must draw one point per value
// of its data (fetched here from the same endpoints, with the console's own token) and show the test's
// data; the Analytics section shows today's events by type and the top services, and its export button
// downloads the CSV. Started by tests-e2e (console.rs). Screenshots land in SHOT_DIR.
// Environment: GATEWAY_URL, ADMIN_EMAIL, ADMIN_PASSWORD, SHOT_DIR, EVENT_TYPES (JSON: type -> count sent
// today), CHROMIUM (default /usr/bin/chromium).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const env = name => {
  const v = process.env[name];
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};
const base = env('GATEWAY_URL');
const shots = env('SHOT_DIR');
const sent = JSON.parse(env('EVENT_TYPES'));
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
let page;
try {
  page = await browser.newPage({ viewport: { width: 1366, height: 1100 }, acceptDownloads: true });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  const outside = [];
  page.on('request', r => { if (!r.url().startsWith(base) && !r.url().startsWith('blob:')) outside.push(r.url()); });
  await page.goto(`${base}/admin/`);
  await page.fill('input[name="email"]', env('ADMIN_EMAIL'));
  await page.fill('input[name="password"]', env('ADMIN_PASSWORD'));
  await page.click('button[type="submit"]');
  await page.waitForSelector('#view[data-charts="drawn"]', { timeout: 20000 });

  // What each chart was drawn from, read again with the console's token.
  const data = await page.evaluate(async () => {
    const get = async p => (await fetch(p, { headers: { Authorization: `Bearer ${sessionStorage.getItem('hm_admin_token')}` } })).json();
    return {
      bookings: await get('/api/v1/admin/jobs/stats/bookings-per-day/?days=30'),
      otp: await get('/api/v1/admin/identity/stats/otp-per-hour/?hours=48'),
      events: await get('/api/admin/analytics/events-per-day/?days=14'),
      online: await get('/api/admin/dashboard/workers-online/'),
    };
  });
  const types = new Set(data.events.days.flatMap(d => Object.keys(d.events_by_type)));
  const expected = {
    bookings: data.bookings.days.length * data.bookings.statuses.length,
    otp: data.otp.hours.length * 2,
    events: data.events.days.length * types.size,
    online: data.online.points.length,
  };
  const add = xs => xs.reduce((a, b) => a + b, 0);
  const sums = {
    bookings: add(data.bookings.days.map(d => add(Object.values(d.by_status)))),
    otp: add(data.otp.hours.map(h => h.requests + h.verify_failures)),
    events: add(data.events.days.map(d => d.total)),
    online: add(data.online.points.map(p => p.online)),
  };
  assert.equal(data.bookings.days.length, 30);
  assert.equal(data.otp.hours.length, 48);
  assert.equal(data.events.days.length, 14);
  assert.equal(data.online.points.length, 96);
  for (const [id, count] of Object.entries(expected)) {
    assert.equal(await page.locator(`[data-chart="${id}"] [data-failed]`).count(), 0, `${id} failed to load`);
    const drawn = await page.locator(`[data-chart="${id}"] [data-point]`).count();
    assert.equal(drawn, count, `${id}: ${drawn} points drawn for ${count} values`);
    // What was drawn is the data: the sum of the points' values equals the sum of the data's.
    const total = await page.$$eval(`[data-chart="${id}"] [data-point]`, ps => ps.reduce((a, p) => a + Number(p.dataset.value), 0));
    assert.equal(total, sums[id], `${id}: the values drawn add up to the data's`);
    // This test's bookings, OTPs and events are there (workers online depends on the hour of the day).
    if (id !== 'online') assert.ok(total > 0, `${id} shows this test's data`);
  }
  const todays = data.bookings.days.at(-1);
  const drawnToday = await page.$$eval(`[data-chart="bookings"] [data-point][data-bucket="${todays.date.slice(5)}"]`,
    ps => ps.reduce((a, p) => a + Number(p.dataset.value), 0));
  assert.equal(drawnToday, Object.values(todays.by_status).reduce((a, b) => a + b, 0), 'today\'s bookings bar');
  const eventsToday = await page.$$eval(`[data-chart="events"] [data-point][data-bucket="${data.events.days.at(-1).date.slice(5)}"]`,
    ps => Object.fromEntries(ps.filter(p => Number(p.dataset.value) > 0).map(p => [p.dataset.series, Number(p.dataset.value)])));
  assert.deepEqual(eventsToday, sent, 'today\'s events bar');
  await page.screenshot({ path: join(shots, 'charts.png'), fullPage: true });
  await page.evaluate(() => document.documentElement.dataset.theme = 'dark');
  await page.screenshot({ path: join(shots, 'charts-dark.png'), fullPage: true });
  await page.evaluate(() => document.documentElement.dataset.theme = 'light');
  console.log(`browser: charts drew ${Object.entries(expected).map(([k, v]) => `${k} ${v}`).join(', ')} points`);

  // The Analytics section: today's events by type, the top services, the export.
  await page.click('a[data-nav="analytics"]');
  await page.waitForSelector('#view[data-list="analytics"]');
  const rows = await page.$$eval('[data-table="events-by-type"] tbody tr', trs => trs.map(tr => [...tr.children].map(td => td.textContent)));
  assert.deepEqual(Object.fromEntries(rows.map(([t, n]) => [t, Number(n)])), sent);
  assert.ok(await page.locator('[data-table="top-services"] tbody tr').count() >= 1, 'top services listed');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[data-export]')]);
  const csv = readFileSync(await download.path(), 'utf8');
  const lines = csv.split('\r\n').filter(Boolean);
  assert.equal(lines[0], 'id,created_at,event_type,user_id,anonymous_id,source,ip_address,payload');
  assert.equal(lines.length - 1, Object.values(sent).reduce((a, b) => a + b, 0), 'one CSV row per event');
  assert.match(download.suggestedFilename(), /^events_\d{4}-\d{2}-\d{2}\.csv$/);
  await page.screenshot({ path: join(shots, 'analytics.png'), fullPage: true });
  console.log(`browser: analytics lists ${rows.length} event types, the export has ${lines.length - 1} rows`);

  assert.deepEqual(errors, [], 'no script errors');
  assert.deepEqual(outside, [], 'no request leaves the gateway');
} catch (e) {
  if (page) await page.screenshot({ path: join(shots, 'charts-failure.png'), fullPage: true }).catch(() => {});
  throw e;
} finally {
  await browser.close();
}
