// Realtime in a real browser (issue #18): Debian's chromium, headless, driven by playwright-core. A page
// of the gateway's own origin opens `new WebSocket(gw + "/ws/bookings/" + id + "/", ["jwt", token])` as
// the customer; the worker then moves the booking to on_the_way and posts a position; the page must
// receive booking_status, then location_update. Started by tests-e2e (realtime.rs). Environment:
//   GATEWAY_URL, BOOKING_ID, CUSTOMER_TOKEN, WORKER_TOKEN, CHROMIUM (default /usr/bin/chromium).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const env = name => {
  const v = process.env[name];
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};
const base = env('GATEWAY_URL');
const booking = env('BOOKING_ID');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage();
  await page.goto(`${base}/api/v1/health/`);
  const opened = await page.evaluate(async ({ booking, token }) => {
    const url = `${location.origin.replace(/^http/, 'ws')}/ws/bookings/${booking}/`;
    window.received = [];
    window.socket = new WebSocket(url, ['jwt', token]);
    window.socket.onmessage = e => window.received.push(JSON.parse(e.data));
    window.closeCode = null;
    window.socket.onclose = e => { window.closeCode = e.code; };
    return await new Promise((resolve, reject) => {
      window.socket.onopen = () => resolve(window.socket.protocol);
      window.socket.onerror = () => reject(new Error('the socket did not open'));
    });
  }, { booking, token: env('CUSTOMER_TOKEN') });
  assert.equal(opened, 'jwt', 'the server selects the jwt subprotocol');
  await page.waitForFunction(() => window.received.length >= 1, null, { timeout: 10000 });
  const welcome = await page.evaluate(() => window.received[0]);
  assert.deepEqual(welcome, {
    type: 'connection_established', booking_id: booking, message: 'Connected to booking updates',
  });
  console.log('browser: connected with the jwt subprotocol');

  const as = token => ({ headers: { Authorization: `Bearer ${token}` } });
  const moved = await page.request.patch(`${base}/api/v1/bookings/${booking}/status/`, {
    ...as(env('WORKER_TOKEN')), data: { status: 'on_the_way', eta_minutes: 12 },
  });
  assert.equal(moved.status(), 200, `status change: ${await moved.text()}`);
  const tracked = await page.request.post(`${base}/api/v1/tracking/${booking}/`, {
    ...as(env('WORKER_TOKEN')), data: { lat: 19.1136, lng: 72.8697 },
  });
  assert.equal(tracked.status(), 200, `tracking: ${await tracked.text()}`);

  await page.waitForFunction(
    () => window.received.some(m => m.type === 'location_update'), null, { timeout: 15000 });
  const messages = await page.evaluate(() => window.received.map(m => m.type));
  const status = messages.indexOf('booking_status');
  assert.ok(status > 0, `a booking_status message: ${messages}`);
  assert.ok(status < messages.indexOf('location_update'), `booking_status before location_update: ${messages}`);
  const [statusMessage, location] = await page.evaluate(() => [
    window.received.find(m => m.type === 'booking_status'),
    window.received.find(m => m.type === 'location_update'),
  ]);
  assert.equal(statusMessage.status, 'on_the_way');
  assert.equal(statusMessage.eta_minutes, 12);
  assert.equal(location.booking_id, booking);
  assert.equal(location.lat, 19.1136);
  assert.equal(location.lng, 72.8697);
  console.log(`browser: received ${messages.join(', ')}`);
  assert.equal(await page.evaluate(() => window.closeCode), null, 'the socket is still open');
} finally {
  await browser.close();
}
