// The admin console in a real browser (issue #9): Debian's chromium, headless, driven by playwright-core.
// Started by tests-e2e (the_admin_console_works_in_a_browser) against a running stack. Environment:
//   GATEWAY_URL, ADMIN_EMAIL, ADMIN_PASSWORD, EXPECTED_STATS (JSON: data-stat -> number),
//   CASH_BOOKINGS (how many bookings are cash), DEACTIVATE_PHONE, SHOT_DIR, CHROMIUM (default /usr/bin/chromium).
// Exits non-zero, with the step that failed, when anything is not as a user would expect.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};
const base = env('GATEWAY_URL');
const expected = JSON.parse(env('EXPECTED_STATS'));
const shots = env('SHOT_DIR');
mkdirSync(shots, { recursive: true });

const started = Date.now();
let current = null; // the page, for a screenshot when a step fails
const step = async (name, fn) => {
  const t = Date.now();
  try {
    await fn();
  } catch (e) {
    console.error(`browser: FAILED at "${name}": ${e.stack || e}`);
    if (current) {
      await current.screenshot({ path: join(shots, 'failure.png'), fullPage: true }).catch(() => {});
      console.error(`browser: at ${current.url()}; screenshot ${join(shots, 'failure.png')}`);
    }
    throw e;
  }
  console.log(`browser: ${name.padEnd(56)} ${((Date.now() - t) / 1000).toFixed(2)} s`);
};

const browser = await chromium.launch({
  executablePath: env('CHROMIUM', '/usr/bin/chromium'),
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, colorScheme: 'light' });
  const page = await context.newPage();
  current = page;
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  // Chrome reports every 4xx answer as a console error; the journey provokes some on purpose.
  page.on('console', m => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  const api = async path => {
    const res = await page.request.get(`${base}${path}`);
    assert.equal(res.status(), 200, `${path}: ${res.status()}`);
    return res.json();
  };

  await step('sign-in refuses a wrong password, field by field', async () => {
    await page.goto(`${base}/admin/`);
    await page.fill('input[name="email"]', env('ADMIN_EMAIL'));
    await page.fill('input[name="password"]', 'wrong-password');
    await page.click('button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('#signin-error').textContent.length > 0);
    assert.match(await page.textContent('#signin-error'), /No active account/);
  });

  await step('sign in, the dashboard shows the seeded numbers', async () => {
    await page.fill('input[name="password"]', env('ADMIN_PASSWORD'));
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-stat="users_worker"] .value');
    for (const [stat, value] of Object.entries(expected)) {
      const shown = await page.textContent(`[data-stat="${stat}"] .value`);
      assert.equal(shown.trim(), String(value), `dashboard ${stat}`);
    }
    await page.screenshot({ path: join(shots, 'dashboard.png'), fullPage: true });
    await page.click('#theme-toggle');
    assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
    await page.screenshot({ path: join(shots, 'dashboard-dark.png'), fullPage: true });
    await page.click('#theme-toggle');
  });

  await step('every section lists; a worker is edited, a bad value refused', async () => {
    const sections = await page.$$eval('#nav a[data-nav]', as => as.map(a => a.dataset.nav).filter(n => n !== 'dashboard'));
    assert.ok(sections.length >= 17, `sections: ${sections}`);
    for (const name of sections) {
      await page.click(`a[data-nav="${name}"]`);
      await page.waitForSelector(`#view[data-list="${name}"], #view .form-error`);
      const problem = await page.$eval('#view', v => (v.querySelector('.form-error') || {}).textContent || '');
      assert.equal(problem, '', `${name}: ${problem}`);
    }
    // A row opens its detail page, and its form saves only what was changed.
    await page.click('a[data-nav="workers"]');
    await page.waitForSelector('#view[data-list="workers"]');
    await page.click('tbody tr');
    await page.waitForSelector('#view dl');
    assert.match(await page.textContent('#view dl'), /availability status/);
    await page.fill('input[name="experience_years"]', '7');
    await page.click('#view form.card button[type="submit"]');
    await page.waitForFunction(() => [...document.querySelectorAll('#view dd')].some(d => d.textContent === '7'));
    await page.fill('input[name="experience_years"]', '200');
    await page.click('#view form.card button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('.field-error[data-for="experience_years"]').textContent.length > 0);
  });

  await step('a theme form shows the API\'s field errors next to the field', async () => {
    await page.click('a[data-nav="themes"]');
    await page.click('text=New theme');
    await page.click('#view form.card button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('.field-error[data-for="name"]').textContent.length > 0);
    assert.match(await page.textContent('.field-error[data-for="name"]'), /required/i);
  });

  await step('create a theme with a live preview, activate it, app-config shows it', async () => {
    await page.fill('input[name="name"]', 'Holi');
    await page.fill('input[name="primary_color"]', '#d81b60');
    await page.fill('input[name="accent_color"]', '#fdd835');
    await page.fill('input[name="background_color"]', '#fff8e1');
    const previewBg = await page.$eval('[data-preview="theme"]', n => getComputedStyle(n).backgroundColor);
    assert.equal(previewBg, 'rgb(255, 248, 225)', 'the preview follows the colours');
    await page.click('#view form.card button[type="submit"]');
    await page.click('button:text-is("Activate")');
    await page.click('#confirm-ok');
    await page.waitForSelector('button:text-is("Activate")', { state: 'detached' });
    const config = await api('/api/v1/app-config/');
    assert.equal(config.theme.name, 'Holi');
    assert.equal(config.theme.primary_color.toLowerCase(), '#d81b60');
  });

  await step('toggle a feature flag, the public flags show it', async () => {
    assert.equal((await api('/api/v1/flags/')).FEATURE_CSR, false);
    await page.click('a[data-nav="flags"]');
    const row = page.locator('tr[data-id="FEATURE_CSR"]');
    await row.locator('button.toggle').click();
    await page.waitForSelector('tr[data-id="FEATURE_CSR"] button[aria-pressed="true"]');
    assert.equal((await api('/api/v1/flags/')).FEATURE_CSR, true);
  });

  await step('filter bookings by payment_method=cash', async () => {
    await page.click('a[data-nav="bookings"]');
    await page.waitForSelector('select[name="payment_method"]');
    await page.selectOption('select[name="payment_method"]', 'cash');
    await page.waitForFunction(() => location.hash.includes('payment_method=cash'));
    await page.waitForSelector('.pager .count');
    const rows = page.locator('tbody tr');
    assert.equal(await rows.count(), Number(env('CASH_BOOKINGS')));
    const methods = await page.$$eval('tbody tr', trs => trs.map(tr => tr.textContent));
    assert.ok(methods.every(t => t.includes('cash')), 'every row is cash');
    assert.ok(methods.every(t => t.includes('Online payments disabled')), 'the payment note is visible');
    await page.screenshot({ path: join(shots, 'bookings-cash.png'), fullPage: true });
  });

  await step('deactivate a user, confirmed first', async () => {
    await page.click('a[data-nav="users"]');
    await page.waitForSelector('#view[data-list="users"]');
    await page.fill('input[name="search"]', env('DEACTIVATE_PHONE'));
    await page.click('.toolbar button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
    await page.click('tbody tr');
    await page.click('button:text-is("Deactivate")');
    // Cancelling changes nothing.
    await page.click('#confirm button[value="cancel"]');
    assert.ok(await page.isVisible('button:text-is("Deactivate")'));
    await page.click('button:text-is("Deactivate")');
    await page.click('#confirm-ok');
    await page.waitForSelector('button:text-is("Activate")');
    await page.setViewportSize({ width: 820, height: 1180 }); // a tablet
    await page.screenshot({ path: join(shots, 'user-tablet.png'), fullPage: true });
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  await step('sign out clears the session', async () => {
    await page.click('#signout');
    await page.waitForSelector('#signin-form');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('hm_admin_token')), null);
    await page.goto(`${base}/admin/#/r/users`);
    assert.ok(await page.isVisible('#signin-form'), 'signed out stays signed out');
  });

  await step('no script errors in the page', async () => {
    assert.deepEqual(errors, []);
  });
} catch (e) {
  failed = true;
} finally {
  await browser.close();
}
console.log(`browser: ${'total'.padEnd(56)} ${((Date.now() - started) / 1000).toFixed(2)} s`);
process.exit(failed ? 1 : 0);
