// HunarMitra admin console (issue #9): a single page over the services' admin JSON APIs, through the
// gateway. No build step and no dependencies; the token lives in sessionStorage only.
'use strict';

const TOKEN_KEY = 'hm_admin_token';
const THEME_KEY = 'hm_admin_theme';

// ---- the resources ------------------------------------------------------------------------------------
// list: the admin list endpoint; paged: it pages, searches and filters server-side (else the whole list
// comes at once and is searched and paged here); key: the row's id field; columns: what the table shows;
// filters: name -> choices; edit: {method, path(row), fields}; create: {path, fields}; actions: buttons on
// the detail page (`confirm` asks first and marks a destructive one, unless `safe`).

const YES_NO = ['true', 'false'];
const EKYC_STATUSES = ['none', 'ocr_scanned', 'verified'];
const EMERGENCY_STATUSES = ['open', 'dispatched', 'accepted', 'on_the_way', 'resolved', 'cancelled'];
const F = (name, type = 'text', extra = {}) => ({ name, type, ...extra });

const RESOURCES = {
  users: {
    group: 'People', title: 'Users', paged: true, list: '/api/v1/admin/identity/users/',
    // eKYC (API §3.5): the status and the Aadhaar digits masked (`XXXX-1234`; the raw digits never reach
    // the console); staff mark it verified once they have checked the person's Aadhaar.
    columns: ['phone', 'email', 'first_name', 'last_name', 'role', 'is_active', 'ekyc_status', 'aadhaar_masked', 'created_at'],
    filters: { role: ['worker', 'contractor', 'employer', 'admin'], is_active: YES_NO, ekyc_status: EKYC_STATUSES },
    edit: { method: 'PATCH', path: r => `/api/v1/admin/identity/users/${r.id}/`, fields: [F('first_name'), F('last_name')] },
    actions: [
      { label: 'Mark eKYC verified', when: r => r.ekyc_status !== 'verified', method: 'PATCH', safe: true,
        path: r => `/api/v1/admin/identity/users/${r.id}/`, body: { ekyc_status: 'verified' },
        confirm: r => `Mark the eKYC of ${r.phone || r.email} verified${r.aadhaar_masked ? ` (Aadhaar ${r.aadhaar_masked})` : ''}? Only after checking their Aadhaar card.` },
      { label: 'Deactivate', when: r => r.is_active, method: 'PATCH', path: r => `/api/v1/admin/identity/users/${r.id}/`,
        body: { is_active: false }, confirm: r => `Deactivate ${r.phone || r.email}? They will not be able to log in.` },
      { label: 'Activate', when: r => !r.is_active, method: 'PATCH', path: r => `/api/v1/admin/identity/users/${r.id}/`,
        body: { is_active: true } },
    ],
  },
  workers: {
    group: 'People', title: 'Workers', paged: true, list: '/api/v1/admin/workforce/workers/',
    columns: ['user_name', 'user_phone', 'availability_status', 'is_available', 'rating', 'total_jobs_completed', 'created_at'],
    filters: { availability_status: ['available', 'busy', 'offline', 'unavailable'], is_available: YES_NO, is_verified: YES_NO },
    edit: { method: 'PATCH', path: r => `/api/v1/workers/${r.id}/`, fields: [
      F('availability_status', 'select', { choices: ['available', 'busy', 'offline', 'unavailable'] }),
      F('experience_years', 'number'), F('price_amount'), F('bio', 'textarea')] },
  },
  contractors: {
    group: 'People', title: 'Contractors', paged: true, list: '/api/v1/admin/workforce/contractors/',
    columns: ['company_name', 'user_name', 'user_phone', 'city', 'rating', 'is_active', 'created_at'],
    filters: { is_active: YES_NO },
    edit: { method: 'PATCH', path: r => `/api/v1/contractors/${r.id}/`, fields: [
      F('company_name'), F('license_number'), F('gst_number'), F('city'), F('state')] },
  },
  'otp-logs': {
    group: 'People', title: 'OTP audit log', paged: true, list: '/api/v1/admin/identity/otp-logs/',
    columns: ['phone', 'action', 'ip_address', 'user_agent', 'created_at'],
    filters: { action: ['request', 'verify_success', 'verify_fail'] },
  },
  services: {
    group: 'Catalog', title: 'Services', list: '/api/v1/admin/catalog/services/',
    // `auto_created`: made from a worker's skill, for staff to review (withdraw or rename it).
    columns: ['name', 'slug', 'title_en', 'category', 'display_order', 'is_active', 'auto_created'],
    filters: { auto_created: YES_NO },
    edit: { method: 'PATCH', path: r => `/api/v1/admin/catalog/services/${r.id}/`, fields: [
      F('name'), F('title_en'), F('title_hi'), F('category'), F('description', 'textarea'),
      F('display_order', 'number'), F('is_active', 'checkbox')] },
    create: { path: '/api/v1/admin/catalog/services/', fields: [F('name'), F('slug'), F('title_en'), F('category'), F('display_order', 'number')] },
    actions: [{ label: 'Withdraw', when: r => r.is_active, method: 'DELETE', path: r => `/api/v1/admin/catalog/services/${r.id}/`,
      confirm: r => `Withdraw the service "${r.name}"? Customers will no longer see it.` }],
  },
  themes: {
    group: 'Catalog', title: 'Themes', list: '/api/v1/admin/catalog/themes/',
    columns: ['name', 'primary_color', 'accent_color', 'background_color', 'active'],
    edit: { method: 'PATCH', path: r => `/api/v1/admin/catalog/themes/${r.id}/`, preview: true, fields: [
      F('name'), F('primary_color', 'color', { default: '#e8730c' }), F('accent_color', 'color', { default: '#1565c0' }),
      F('background_color', 'color', { default: '#ffffff' })] },
    create: { path: '/api/v1/admin/catalog/themes/', preview: true, fields: [
      F('name'), F('primary_color', 'color', { default: '#e8730c' }), F('accent_color', 'color', { default: '#1565c0' }),
      F('background_color', 'color', { default: '#ffffff' })] },
    actions: [
      { label: 'Activate', when: r => !r.active, method: 'POST', path: r => `/api/v1/admin/catalog/themes/${r.id}/activate/`,
        confirm: r => `Make "${r.name}" the theme every app shows?` },
      { label: 'Delete', when: r => !r.active, method: 'DELETE', path: r => `/api/v1/admin/catalog/themes/${r.id}/`,
        confirm: r => `Delete the theme "${r.name}"?` },
    ],
  },
  'app-banners': {
    group: 'Catalog', title: 'App banners', list: '/api/v1/admin/catalog/app-banners/',
    columns: ['title', 'subtitle', 'display_order', 'active'],
    edit: { method: 'PATCH', path: r => `/api/v1/admin/catalog/app-banners/${r.id}/`, fields: [
      F('title'), F('subtitle'), F('image_s3_key'), F('display_order', 'number'), F('active', 'checkbox')] },
    create: { path: '/api/v1/admin/catalog/app-banners/', fields: [F('title'), F('subtitle'), F('image_s3_key'), F('display_order', 'number')] },
    actions: [{ label: 'Delete', method: 'DELETE', path: r => `/api/v1/admin/catalog/app-banners/${r.id}/`, confirm: r => `Delete the banner "${r.title}"?` }],
  },
  'promo-banners': {
    group: 'Catalog', title: 'Promo banners', list: '/api/v1/admin/catalog/promo-banners/',
    columns: ['title', 'slot', 'priority', 'active', 'starts_at', 'ends_at'],
    edit: { method: 'PATCH', path: r => `/api/v1/admin/catalog/promo-banners/${r.id}/`, fields: [
      F('title'), F('link'), F('slot'), F('priority', 'number'), F('active', 'checkbox')] },
    create: { path: '/api/v1/admin/catalog/promo-banners/', fields: [F('title'), F('image_s3_key'), F('link'), F('slot'), F('priority', 'number')] },
    actions: [{ label: 'Delete', method: 'DELETE', path: r => `/api/v1/admin/catalog/promo-banners/${r.id}/`, confirm: r => `Delete the promo banner "${r.title}"?` }],
  },
  flags: {
    group: 'Catalog', title: 'Feature flags', list: '/api/v1/admin/catalog/flags/', key: 'key',
    columns: ['key', 'enabled', 'description'],
    toggle: { field: 'enabled', path: r => `/api/v1/admin/catalog/flags/${encodeURIComponent(r.key)}/` },
    edit: { method: 'PATCH', path: r => `/api/v1/admin/catalog/flags/${encodeURIComponent(r.key)}/`, fields: [F('description', 'textarea')] },
    create: { path: '/api/v1/admin/catalog/flags/', fields: [F('key'), F('description'), F('enabled', 'checkbox')] },
    actions: [{ label: 'Delete', method: 'DELETE', path: r => `/api/v1/admin/catalog/flags/${encodeURIComponent(r.key)}/`, confirm: r => `Delete the flag ${r.key}?` }],
  },
  translations: {
    group: 'Catalog', title: 'Translations', list: '/api/v1/admin/catalog/translations/',
    columns: ['lang', 'key', 'value', 'updated_at'],
    // Saving a translation is an upsert by (lang, key).
    edit: { method: 'POST', whole: true, path: () => '/api/v1/admin/catalog/translations/', fields: [
      F('lang', 'select', { choices: ['en', 'hi', 'mr', 'ta', 'te'] }), F('key'), F('value', 'textarea')] },
    create: { path: '/api/v1/admin/catalog/translations/', fields: [
      F('lang', 'select', { choices: ['en', 'hi', 'mr', 'ta', 'te'] }), F('key'), F('value', 'textarea')] },
    actions: [{ label: 'Delete', method: 'DELETE', path: r => `/api/v1/admin/catalog/translations/${r.lang}/${encodeURIComponent(r.key)}/`,
      confirm: r => `Delete the ${r.lang} translation of ${r.key}?` }],
  },
  sites: {
    group: 'Work', title: 'Sites', paged: true, list: '/api/v1/admin/workforce/sites/',
    columns: ['name', 'company_name', 'address', 'is_active', 'start_date', 'created_at'],
    filters: { is_active: YES_NO },
    edit: { method: 'PATCH', path: r => `/api/v1/sites/${r.id}/`, fields: [F('name'), F('address', 'textarea'), F('phone'), F('is_active', 'checkbox')] },
  },
  kiosks: {
    group: 'Work', title: 'Kiosks', paged: true, list: '/api/v1/admin/workforce/kiosks/',
    columns: ['location_name', 'site_name', 'device_uuid', 'is_active', 'created_at'],
    filters: { is_active: YES_NO },
    create: { label: 'Issue a kiosk', path: '/api/v1/kiosks/', reveals: 'device_token', fields: [
      F('device_uuid'), F('location_name'), F('address'), F('site_id'), F('contractor')] },
    actions: [{ label: 'Rotate token', method: 'POST', path: r => `/api/v1/admin/workforce/kiosks/${r.id}/rotate-token/`, reveals: 'device_token',
      confirm: r => `Give "${r.location_name}" a new token? The kiosk stops working until it is set up with the new one.` }],
  },
  jobs: {
    group: 'Work', title: 'Jobs', paged: true, list: '/api/v1/admin/jobs/jobs/',
    columns: ['title', 'status', 'service_name', 'poster_name', 'poster_phone', 'budget', 'created_at'],
    filters: { status: ['open', 'assigned', 'in_progress', 'completed', 'cancelled'] },
  },
  bookings: {
    group: 'Work', title: 'Bookings', paged: true, list: '/api/v1/admin/jobs/bookings/',
    columns: ['service_name', 'user_name', 'user_phone', 'status', 'payment_method', 'payment_status', 'payment_note', 'created_at'],
    filters: {
      status: ['requested', 'confirmed', 'on_the_way', 'arrived', 'completed', 'cancelled', 'payment_pending'],
      payment_method: ['cash', 'online', 'none'], payment_status: ['pending', 'paid', 'failed', 'n/a'],
    },
  },
  emergencies: {
    group: 'Work', title: 'Emergencies', paged: true, list: '/api/v1/emergency/requests/', live: 'emergency_update',
    detail: r => `/api/v1/emergency/requests/${r.id}/`,
    columns: ['contact_phone', 'urgency_level', 'status', 'service_name', 'address_text', 'assigned_worker_name', 'created_at'],
    filters: { status: EMERGENCY_STATUSES, urgency_level: ['low', 'medium', 'high'] },
    // The dispatch log of a request: who was asked, how far away, and what they answered.
    table: { field: 'dispatch_logs', title: 'Dispatch log',
      columns: ['worker_name', 'worker_phone', 'status', 'distance_km', 'attempt_time', 'response_time'],
      value: (log, c) => (c === 'distance_km' ? (log.raw_response || {}).distance_km : log[c]) },
    edit: { label: 'Change status', method: 'PATCH', whole: true, path: r => `/api/v1/emergency/requests/${r.id}/status/`, fields: [
      F('status', 'select', { choices: EMERGENCY_STATUSES }), F('notes', 'textarea')] },
    actions: [{ label: 'Escalate', when: r => !['resolved', 'cancelled'].includes(r.status) && !(r.metadata || {}).escalated_at,
      method: 'POST', path: r => `/api/v1/emergency/requests/${r.id}/escalate/`,
      confirm: r => `Escalate the emergency at "${r.address_text}" for manual handling?` }],
  },
  payments: {
    group: 'Work', title: 'Payments', paged: true, list: '/api/v1/admin/jobs/payments/',
    columns: ['booking_id', 'amount', 'currency', 'gateway', 'status', 'created_at'],
    filters: { status: ['created', 'pending', 'completed', 'failed'], gateway: ['razorpay', 'stripe', 'manual'] },
  },
  notifications: {
    group: 'Messages', title: 'Notifications', paged: true, list: '/api/v1/admin/notifications/notifications/',
    columns: ['title', 'message', 'type', 'user_phone', 'channel', 'is_read', 'created_at'],
    filters: { type: ['booking_status', 'job_application', 'application_accepted', 'application_declined', 'job_assigned', 'payment', 'attendance', 'emergency_dispatch', 'emergency_update', 'system', 'promo'],
      is_read: YES_NO, channel: ['in_app', 'push', 'both', 'email'] },
  },
  'sms-log': {
    group: 'Messages', title: 'SMS log', paged: true, list: '/api/v1/admin/notifications/sms-log/',
    columns: ['phone', 'provider', 'attempt', 'status', 'error', 'delivery_status', 'created_at'],
    filters: { status: ['sent', 'failed', 'rejected', 'expired'] },
  },
};

// ---- plumbing -----------------------------------------------------------------------------------------

const $ = (sel, root = document) => root.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? '')));
  return node;
};

const token = () => sessionStorage.getItem(TOKEN_KEY);

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await res.json(); } catch { data = null; }
  if (res.status === 401 && token()) { signOut(); }
  return { status: res.status, ok: res.ok, data };
}

/// The API's message for a failed call (shape E `error`, shape D `detail`, or field errors).
function messageOf(res) {
  const d = res.data || {};
  if (typeof d.error === 'string') return d.error;
  if (typeof d.detail === 'string') return d.detail;
  if (Array.isArray(d.non_field_errors)) return d.non_field_errors.join(' ');
  return res.ok ? '' : `Request failed (${res.status}).`;
}

function showFieldErrors(form, res) {
  form.querySelectorAll('.field-error').forEach(p => { p.textContent = ''; });
  const top = form.querySelector('.form-error');
  if (top) top.textContent = '';
  const d = res.data || {};
  let placed = false;
  for (const [field, msgs] of Object.entries(d)) {
    const slot = form.querySelector(`.field-error[data-for="${CSS.escape(field)}"]`);
    if (slot && Array.isArray(msgs)) { slot.textContent = msgs.join(' '); placed = true; }
  }
  if (top && (!placed || d.error || d.detail)) top.textContent = messageOf(res) || 'Please correct the fields below.';
}

function format(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return el('span', { class: `badge ${value ? 'yes' : 'no'}` }, value ? 'yes' : 'no');
  if (typeof value === 'object') return JSON.stringify(value);
  const text = String(value);
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) return new Date(text).toLocaleString();
  return text;
}

/// Asks `text` first; the Confirm button is red unless the action is `safe`.
function confirmAction(text, safe = false) {
  const dialog = $('#confirm');
  $('#confirm-text').textContent = text;
  $('#confirm-ok').className = safe ? 'primary' : 'danger';
  return new Promise(resolve => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
  });
}

// ---- sign-in, theme, navigation -------------------------------------------------------------------------

function applyTheme(mode) {
  document.documentElement.dataset.theme = mode;
  localStorage.setItem(THEME_KEY, mode);
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  if (live) live.close(1000, 'signed out');
  location.hash = '';
  render();
}

async function signIn(event) {
  event.preventDefault();
  const form = event.target;
  const body = { email: form.email.value.trim(), password: form.password.value };
  const res = await api('POST', '/api/v1/auth/admin/login/', body);
  if (!res.ok) {
    showFieldErrors(form, res);
    $('#signin-error').textContent = messageOf(res) || 'Please correct the fields below.';
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, res.data.access);
  form.reset();
  location.hash = '#/dashboard';
  render();
  connectLive();
}

function buildNav() {
  const nav = $('#nav');
  nav.replaceChildren(el('a', { href: '#/dashboard', dataset: { nav: 'dashboard' } }, 'Dashboard'),
    el('a', { href: '#/analytics', dataset: { nav: 'analytics' } }, 'Analytics'));
  let group = '';
  for (const [name, r] of Object.entries(RESOURCES)) {
    if (r.group !== group) { group = r.group; nav.append(el('div', { class: 'group' }, group)); }
    nav.append(el('a', { href: `#/r/${name}`, dataset: { nav: name } }, r.title));
  }
}

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('?')[0].split('/').filter(Boolean);
  if (parts[0] === 'r' && RESOURCES[parts[1]]) return { view: 'resource', name: parts[1], id: parts[2] };
  if (parts[0] === 'analytics') return { view: 'analytics', name: 'analytics' };
  return { view: 'dashboard' };
}

async function render() {
  const signedIn = Boolean(token());
  $('#signin').hidden = signedIn;
  $('#app').hidden = !signedIn;
  if (!signedIn) { $('#signin-form input[name="email"]').focus(); return; }
  const r = route();
  document.querySelectorAll('#nav a').forEach(a => a.classList.toggle('active', a.dataset.nav === (r.name || 'dashboard')));
  $('#nav').classList.remove('open');
  const view = $('#view');
  view.replaceChildren(el('p', {}, 'Loading…'));
  delete view.dataset.list; // set again once a list has rendered (tests and scripts wait for it)
  if (r.view === 'dashboard') return dashboard(view);
  if (r.view === 'analytics') return analyticsView(view);
  if (r.id === 'new') return createView(view, r.name);
  if (r.id) return detailView(view, r.name, decodeURIComponent(r.id));
  return listView(view, r.name);
}

// ---- dashboard ----------------------------------------------------------------------------------------

const sum = obj => Object.values(obj || {}).reduce((a, b) => a + Number(b || 0), 0);

async function dashboard(view) {
  $('#title').textContent = 'Dashboard';
  const paths = ['identity', 'workforce', 'jobs', 'notifications', 'catalog'].map(s => `/api/v1/admin/${s}/stats/`);
  paths.push('/api/v1/dashboard/admin/');
  const [identity, workforce, jobs, notifications, , platform] = (await Promise.all(paths.map(p => api('GET', p)))).map(r => r.data || {});
  const byRole = identity.users_by_role || {};
  const cards = [
    // The role dashboard's admin figures (API §11.4), from jobs' read model.
    ['total_users', 'Users', platform.total_users], ['total_workers_online', 'Workers online', platform.total_workers_online],
    ['open_emergencies', 'Open emergencies', platform.open_emergencies], ['today_bookings', 'Bookings today', platform.today_bookings],
    ['users_worker', 'Workers (users)', byRole.worker], ['users_contractor', 'Contractors (users)', byRole.contractor],
    ['users_employer', 'Employers (users)', byRole.employer], ['users_admin', 'Admins', byRole.admin],
    ['workers_available_now', 'Workers available now', workforce.workers_available_now],
    ['bookings_this_week', 'Bookings this week', sum(jobs.bookings_this_week)],
    ['jobs_open', 'Jobs open', jobs.jobs_open],
    ['otp_sent_last_hour', 'OTPs sent (last hour)', notifications.otp_sms_sent_last_hour],
    ['otp_failed_last_hour', 'OTPs failed (last hour)', notifications.otp_sms_failed_last_hour],
    ['notifications_unread', 'Notifications unread', notifications.notifications_unread],
  ];
  const statusRows = Object.entries(jobs.bookings_this_week || {}).map(([s, n]) =>
    el('tr', {}, el('td', {}, s), el('td', {}, String((jobs.bookings_today || {})[s] || 0)), el('td', {}, String(n))));
  const charts = el('section', { class: 'charts' }, el('p', {}, 'Loading charts…'));
  view.replaceChildren(
    el('section', { class: 'stats' }, cards.map(([key, label, value]) =>
      el('div', { class: 'stat', dataset: { stat: key } }, el('div', { class: 'value' }, String(value ?? '—')), el('div', { class: 'label' }, label)))),
    charts,
    el('section', { class: 'card' }, el('h2', {}, 'Bookings by status'),
      statusRows.length
        ? el('div', { class: 'table-wrap' }, el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'status'), el('th', {}, 'today'), el('th', {}, 'this week'))), el('tbody', {}, statusRows)))
        : el('p', {}, 'No bookings this week.')),
  );
  charts.replaceChildren(...await dashboardCharts());
  view.dataset.charts = 'drawn'; // tests and scripts wait for it
}

// ---- charts (issue #19): each from the owning service's own stats, drawn by charts.js ------------------

const dayLabel = d => d.slice(5); // MM-DD
const hourLabel = iso => iso.slice(11, 16); // HH:MM in the platform's zone, as the service renders it

/// The charts of the home page; a chart whose service does not answer says so instead.
async function dashboardCharts() {
  const [bookings, otp, events, online] = await Promise.all([
    api('GET', '/api/v1/admin/jobs/stats/bookings-per-day/?days=30'),
    api('GET', '/api/v1/admin/identity/stats/otp-per-hour/?hours=48'),
    api('GET', '/api/admin/analytics/events-per-day/?days=14'),
    api('GET', '/api/admin/dashboard/workers-online/'),
  ]);
  const failed = (id, caption, res) => el('figure', { class: 'chart', dataset: { chart: id, failed: '' } },
    el('figcaption', {}, caption), el('p', { class: 'muted' }, messageOf(res) || `Not available (${res.status}).`));
  const out = [];
  if (bookings.ok) {
    const days = bookings.data.days || [];
    const statuses = bookings.data.statuses || [];
    out.push(Charts.bars('bookings', 'Bookings per day, last 30 days, by status', days.map(d => dayLabel(d.date)),
      statuses.map(s => ({ name: s, values: days.map(d => d.by_status[s] || 0) }))));
  } else out.push(failed('bookings', 'Bookings per day', bookings));
  if (otp.ok) {
    const hours = otp.data.hours || [];
    out.push(Charts.lines('otp', 'OTP requests and failed verifications per hour, last 48 hours', hours.map(h => hourLabel(h.hour)), [
      { name: 'requests', values: hours.map(h => h.requests) },
      { name: 'failed verifications', values: hours.map(h => h.verify_failures) },
    ]));
  } else out.push(failed('otp', 'OTP requests per hour', otp));
  if (events.ok) {
    const days = events.data.days || [];
    const types = [...new Set(days.flatMap(d => Object.keys(d.events_by_type)))].sort();
    out.push(Charts.bars('events', 'App events per day, last 14 days, by type', days.map(d => dayLabel(d.date)),
      types.map(t => ({ name: t, values: days.map(d => d.events_by_type[t] || 0) }))));
  } else out.push(failed('events', 'App events per day', events));
  if (online.ok) {
    const points = online.data.points || [];
    out.push(Charts.lines('online', `Workers online on ${online.data.date}, every ${online.data.interval_minutes} minutes`,
      points.map(p => hourLabel(p.at)), [{ name: 'online', values: points.map(p => p.online) }]));
  } else out.push(failed('online', 'Workers online over the day', online));
  return out;
}

// ---- analytics (API §12) --------------------------------------------------------------------------------

const isoDay = d => d.toISOString().slice(0, 10);

/// A day's summary and active people, the month's most searched services, and the day's events as CSV.
async function analyticsView(view) {
  $('#title').textContent = 'Analytics';
  // Without a day asked for, the service's today (its time zone, not this browser's).
  const asked = new URLSearchParams(location.hash.split('?')[1] || '').get('date');
  const summary = await api('GET', `/api/admin/analytics/daily-summary/${asked ? `?date=${encodeURIComponent(asked)}` : ''}`);
  // A day the service refused (a bad ?date=) shows its message and today's numbers around it.
  const day = summary.ok ? summary.data.date : isoDay(new Date());
  const from = isoDay(new Date(Date.parse(day) - 29 * 86400000));
  const [active, top] = await Promise.all([
    api('GET', `/api/admin/analytics/active-users/?date=${encodeURIComponent(day)}`),
    api('GET', `/api/admin/analytics/top-services/?date_from=${from}&date_to=${encodeURIComponent(day)}&limit=10`),
  ]);
  const picker = el('form', { class: 'filters', onsubmit: e => {
    e.preventDefault();
    location.hash = `#/analytics?date=${e.target.date.value}`;
  } }, el('label', {}, 'Day ', el('input', { type: 'date', name: 'date', value: day })), el('button', { type: 'submit' }, 'Show'));
  const error = res => el('p', { class: 'form-error' }, messageOf(res));
  const s = summary.data || {};
  const a = active.data || {};
  const byType = Object.entries(s.events_by_type || {});
  const exportButton = el('button', { class: 'primary', dataset: { export: day }, onclick: () => download(
    `/api/admin/analytics/export/?date=${encodeURIComponent(day)}`, `events_${day}.csv`) }, `Export ${day} as CSV`);
  view.replaceChildren(
    picker,
    summary.ok ? el('section', { class: 'stats' }, [
      ['total_events', 'Events', s.total_events], ['unique_users', 'Signed-in users', s.unique_users],
      ['unique_anonymous', 'Anonymous visitors', s.unique_anonymous], ['total_active', 'Active in all', a.total_active],
    ].map(([key, label, value]) => el('div', { class: 'stat', dataset: { stat: key } },
      el('div', { class: 'value' }, String(value ?? '—')), el('div', { class: 'label' }, label)))) : error(summary),
    el('section', { class: 'card' }, el('h2', {}, `Events on ${day} by type`),
      byType.length
        ? el('table', { dataset: { table: 'events-by-type' } }, el('thead', {}, el('tr', {}, el('th', {}, 'event type'), el('th', {}, 'events'))),
          el('tbody', {}, byType.map(([t, n]) => el('tr', {}, el('td', {}, t), el('td', {}, String(n))))))
        : el('p', {}, 'No events that day.'), exportButton),
    el('section', { class: 'card' }, el('h2', {}, `Most searched services, ${from} to ${day}`),
      !top.ok ? error(top) : (top.data.top_services || []).length
        ? el('table', { dataset: { table: 'top-services' } }, el('thead', {}, el('tr', {}, el('th', {}, 'service'), el('th', {}, 'searches'))),
          el('tbody', {}, top.data.top_services.map(r => el('tr', {}, el('td', {}, r.payload__service_id === null ? '(none)' : String(r.payload__service_id)), el('td', {}, String(r.count))))))
        : el('p', {}, 'No searches.')),
  );
  view.dataset.list = 'analytics';
}

/// Downloads `path` (which needs the token, so not a plain link) as `filename`.
async function download(path, filename) {
  let blob;
  try {
    const res = await fetch(path, { headers: { Authorization: `Bearer ${token()}` } });
    if (!res.ok) throw new Error(`the server answered ${res.status}`);
    blob = await res.blob(); // a download cut off part-way rejects here
  } catch (e) {
    alert(`Export failed: ${e.message}.`);
    return;
  }
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// ---- lists --------------------------------------------------------------------------------------------

const cache = new Map(); // `${resource}:${id}` -> row, so a detail page opens without another request
const keyOf = (r, row) => String(row[r.key || 'id']);

async function listView(view, name) {
  const r = RESOURCES[name];
  $('#title').textContent = r.title;
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const state = { search: params.get('search') || '', page: Number(params.get('page') || 1), filters: {} };
  for (const f of Object.keys(r.filters || {})) state.filters[f] = params.get(f) || '';

  const go = () => {
    const q = new URLSearchParams();
    if (state.search) q.set('search', state.search);
    for (const [k, v] of Object.entries(state.filters)) if (v) q.set(k, v);
    if (state.page > 1) q.set('page', state.page);
    const qs = q.toString();
    location.hash = `#/r/${name}${qs ? `?${qs}` : ''}`;
  };

  const toolbar = el('form', { class: 'toolbar', role: 'search', onsubmit: e => { e.preventDefault(); state.search = e.target.search.value.trim(); state.page = 1; go(); } },
    el('label', {}, 'Search', el('input', { name: 'search', type: 'search', value: state.search, placeholder: 'Search…' })),
    Object.entries(r.filters || {}).map(([f, choices]) => el('label', {}, f.replace(/_/g, ' '),
      el('select', { name: f, onchange: e => { state.filters[f] = e.target.value; state.page = 1; go(); } },
        el('option', { value: '' }, 'any'), choices.map(c => el('option', { value: c, selected: state.filters[f] === c }, c))))),
    el('button', { type: 'submit' }, 'Apply'),
    r.create ? el('a', { href: `#/r/${name}/new`, class: 'button' }, el('button', { type: 'button', class: 'primary' }, r.create.label || `New ${r.title.toLowerCase().replace(/s$/, '')}`)) : '',
  );

  let rows; let count; let pages;
  if (r.paged) {
    const q = new URLSearchParams({ page: String(state.page), page_size: '20' });
    if (state.search) q.set('search', state.search);
    for (const [k, v] of Object.entries(state.filters)) if (v) q.set(k, v);
    const res = await api('GET', `${r.list}?${q}`);
    if (!res.ok) { view.replaceChildren(toolbar, el('p', { class: 'form-error' }, messageOf(res))); return; }
    rows = res.data.results; count = res.data.count; pages = Math.max(1, Math.ceil(count / 20));
  } else {
    const res = await api('GET', r.list);
    if (!res.ok) { view.replaceChildren(toolbar, el('p', { class: 'form-error' }, messageOf(res))); return; }
    const term = state.search.toLowerCase();
    const all = (Array.isArray(res.data) ? res.data : res.data.results || [])
      .filter(row => !term || r.columns.some(c => String(row[c] ?? '').toLowerCase().includes(term)))
      .filter(row => Object.entries(state.filters).every(([k, v]) => !v || String(row[k]) === v));
    count = all.length; pages = Math.max(1, Math.ceil(count / 20));
    rows = all.slice((state.page - 1) * 20, state.page * 20);
  }
  rows.forEach(row => cache.set(`${name}:${keyOf(r, row)}`, row));

  const table = el('table', {},
    el('thead', {}, el('tr', {}, r.columns.map(c => el('th', {}, c.replace(/_/g, ' '))), r.toggle ? el('th', {}, '') : '')),
    el('tbody', {}, rows.map(row => el('tr', {
      class: 'clickable', dataset: { id: keyOf(r, row) },
      onclick: () => { location.hash = `#/r/${name}/${encodeURIComponent(keyOf(r, row))}`; },
    }, r.columns.map(c => el('td', { title: typeof row[c] === 'string' ? row[c] : undefined }, format(row[c]))),
    r.toggle ? el('td', {}, el('button', {
      type: 'button', class: 'toggle', 'aria-pressed': String(Boolean(row[r.toggle.field])),
      onclick: async e => {
        e.stopPropagation();
        const res = await api('PATCH', r.toggle.path(row), { [r.toggle.field]: !row[r.toggle.field] });
        if (res.ok) render(); else alert(messageOf(res));
      },
    }, row[r.toggle.field] ? 'Turn off' : 'Turn on')) : ''))));
  view.dataset.list = name;
  view.replaceChildren(
    toolbar,
    el('div', { class: 'table-wrap' }, rows.length ? table : el('p', { class: 'empty' }, 'Nothing matches.')),
    el('div', { class: 'pager' },
      el('button', { type: 'button', disabled: state.page <= 1, onclick: () => { state.page -= 1; go(); } }, '‹ Previous'),
      el('span', { class: 'count' }, `Page ${state.page} of ${pages} · ${count} in all`),
      el('button', { type: 'button', disabled: state.page >= pages, onclick: () => { state.page += 1; go(); } }, 'Next ›')),
  );
}

// ---- detail, edit, create -------------------------------------------------------------------------------

function inputFor(field, value) {
  const id = `f-${field.name}`;
  let input;
  if (field.type === 'textarea') input = el('textarea', { id, name: field.name, rows: 3 }, value ?? '');
  else if (field.type === 'select') input = el('select', { id, name: field.name }, el('option', { value: '' }, '—'),
    field.choices.map(c => el('option', { value: c, selected: value === c }, c)));
  else if (field.type === 'checkbox') input = el('input', { id, name: field.name, type: 'checkbox', checked: Boolean(value) });
  else if (field.type === 'color') input = el('input', { id, name: field.name, type: 'color', value: /^#[0-9a-fA-F]{6}$/.test(value || '') ? value : (field.default || '#000000') });
  else input = el('input', { id, name: field.name, type: field.type === 'number' ? 'number' : 'text', value: value ?? '' });
  return [el('label', { for: id }, field.name.replace(/_/g, ' ')), input, el('p', { class: 'field-error', dataset: { for: field.name } })];
}

/// What the form sends: on a new record every filled field; on an edit only what was changed, so a
/// field the record leaves empty is not sent back as an (invalid) empty string.
function valuesOf(form, fields, row) {
  const body = {};
  for (const f of fields) {
    const input = form.elements[f.name];
    let v;
    if (f.type === 'checkbox') v = input.checked;
    else if (f.type === 'number') v = input.value === '' ? null : Number(input.value);
    else v = input.value;
    if (row) {
      const before = row[f.name];
      const same = f.type === 'checkbox' ? Boolean(before) === v
        : String(before ?? '') === String(v ?? '') || (f.type === 'color' && String(before ?? '').toLowerCase() === v);
      if (same) continue;
    } else if (f.type !== 'checkbox' && (v === '' || v === null)) {
      continue;
    }
    body[f.name] = v;
  }
  return body;
}

/// The colours of a theme as the app would show them, updated while they are edited.
function themePreview(form) {
  const box = el('div', { class: 'preview', dataset: { preview: 'theme' } },
    el('strong', {}, 'Preview'), el('p', {}, 'Find a plumber near you'),
    el('button', { type: 'button', class: 'preview-primary' }, 'Book now'), ' ',
    el('span', { class: 'badge preview-accent' }, 'Top rated'));
  const paint = () => {
    box.style.background = form.elements.background_color.value;
    box.style.color = '#1c2230';
    const primary = box.querySelector('.preview-primary');
    primary.style.background = form.elements.primary_color.value;
    primary.style.color = '#fff';
    const accent = box.querySelector('.preview-accent');
    accent.style.borderColor = form.elements.accent_color.value;
    accent.style.color = form.elements.accent_color.value;
  };
  form.addEventListener('input', paint);
  setTimeout(paint);
  return box;
}

function editForm(r, spec, row, onSaved, submitLabel) {
  const form = el('form', { class: 'card', novalidate: true },
    el('h2', {}, row ? (spec.label || 'Edit') : 'New'),
    el('p', { class: 'form-error', role: 'alert' }),
    spec.fields.map(f => inputFor(f, row ? row[f.name] : undefined)),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary' }, submitLabel)));
  if (spec.preview) form.insertBefore(themePreview(form), form.querySelector('.actions'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const body = valuesOf(form, spec.fields, spec.whole ? null : row);
    if (row && !spec.whole && Object.keys(body).length === 0) { showFieldErrors(form, { ok: false, data: { error: 'Nothing was changed.' } }); return; }
    const res = await api(spec.method || 'POST', row ? spec.path(row) : spec.path, body);
    if (!res.ok) { showFieldErrors(form, res); return; }
    onSaved(res.data);
  });
  return form;
}

async function findRow(name, id) {
  const r = RESOURCES[name];
  if (r.detail) {
    const res = await api('GET', r.detail({ id }));
    return res.ok ? res.data : undefined;
  }
  const cached = cache.get(`${name}:${id}`);
  if (cached) return cached;
  const res = r.paged ? await api('GET', `${r.list}?search=${encodeURIComponent(id)}`) : await api('GET', r.list);
  const rows = Array.isArray(res.data) ? res.data : (res.data && res.data.results) || [];
  return rows.find(row => keyOf(r, row) === id);
}

/// The list's columns first on a detail page, then the rest alphabetically.
const rank = (r, field) => { const i = r.columns.indexOf(field); return i < 0 ? r.columns.length : i; };

async function detailView(view, name, id) {
  const r = RESOURCES[name];
  const row = await findRow(name, id);
  $('#title').textContent = r.title;
  if (!row) { view.replaceChildren(el('p', {}, 'Not found. '), el('a', { href: `#/r/${name}` }, 'Back to the list')); return; }
  const notice = el('div', { class: 'notice', hidden: true, role: 'status' });
  const refresh = async updated => {
    cache.delete(`${name}:${id}`);
    if (updated && typeof updated === 'object' && keyOf(r, updated) === id) cache.set(`${name}:${id}`, updated);
    await detailView(view, name, id);
  };
  const buttons = (r.actions || []).filter(a => !a.when || a.when(row)).map(a => el('button', {
    type: 'button', class: a.confirm && !a.safe ? 'danger' : '',
    onclick: async () => {
      if (a.confirm && !(await confirmAction(a.confirm(row), a.safe))) return;
      const res = await api(a.method, a.path(row), a.body);
      if (!res.ok) { notice.hidden = false; notice.textContent = messageOf(res); return; }
      if (a.method === 'DELETE') { cache.delete(`${name}:${id}`); location.hash = `#/r/${name}`; return; }
      if (a.reveals && res.data && res.data[a.reveals]) {
        await refresh();
        const shown = $('.notice', view);
        shown.hidden = false;
        shown.textContent = `New ${a.reveals.replace(/_/g, ' ')} (shown once): ${res.data[a.reveals]}`;
        return;
      }
      await refresh(res.data);
    },
  }, a.label));
  if (r.toggle) {
    buttons.push(el('button', { type: 'button', onclick: async () => {
      const res = await api('PATCH', r.toggle.path(row), { [r.toggle.field]: !row[r.toggle.field] });
      if (res.ok) await refresh(res.data); else { notice.hidden = false; notice.textContent = messageOf(res); }
    } }, row[r.toggle.field] ? 'Turn off' : 'Turn on'));
  }
  const facts = el('section', { class: 'card' }, el('h2', {}, 'Details'),
    el('dl', {}, Object.entries(row).filter(([k]) => !r.table || k !== r.table.field)
      .sort(([a], [b]) => rank(r, a) - rank(r, b) || a.localeCompare(b))
      .map(([k, v]) => [el('dt', {}, k.replace(/_/g, ' ')), el('dd', {}, format(v))])),
    el('div', { class: 'actions' }, el('a', { href: `#/r/${name}` }, '‹ Back'), buttons));
  const parts = [facts];
  if (r.table) {
    const t = r.table;
    const items = row[t.field] || [];
    parts.push(el('section', { class: 'card', dataset: { table: t.field } }, el('h2', {}, t.title),
      items.length
        ? el('div', { class: 'table-wrap' }, el('table', {},
          el('thead', {}, el('tr', {}, t.columns.map(c => el('th', {}, c.replace(/_/g, ' '))))),
          el('tbody', {}, items.map(item => el('tr', {}, t.columns.map(c => el('td', {}, format(t.value(item, c)))))))))
        : el('p', { class: 'empty' }, 'Nobody was asked.')));
  }
  if (r.edit) parts.push(editForm(r, r.edit, row, refresh, r.edit.label || 'Save'));
  view.replaceChildren(notice, el('div', { class: 'detail' }, parts));
}

function createView(view, name) {
  const r = RESOURCES[name];
  $('#title').textContent = `${r.title}: ${r.create.label || 'new'}`;
  const notice = el('div', { class: 'notice', hidden: true, role: 'status' });
  const form = editForm(r, r.create, null, created => {
    if (r.create.reveals && created[r.create.reveals]) {
      notice.hidden = false;
      notice.textContent = `Created. Its ${r.create.reveals.replace(/_/g, ' ')} (shown once): ${created[r.create.reveals]}`;
      form.reset();
      return;
    }
    cache.set(`${name}:${keyOf(r, created)}`, created);
    location.hash = `#/r/${name}/${encodeURIComponent(keyOf(r, created))}`;
  }, 'Create');
  view.replaceChildren(notice, el('div', { class: 'detail' }, form, el('div', {}, el('a', { href: `#/r/${name}` }, '‹ Back to the list'))));
}

// ---- live updates ---------------------------------------------------------------------------------------

// One socket per signed-in session (API §10): staff hear every emergency's changes on it, and a list or
// detail page of a resource marked `live` re-renders when its kind of message arrives (not while a form
// on it is being edited). Reconnects with back-off; closed for good on sign-out or a refused token.
let live = null;
function connectLive(delay = 1000) {
  if (!token() || live) return;
  const url = `${location.origin.replace(/^http/, 'ws')}/ws/notifications/`;
  const socket = new WebSocket(url, ['jwt', token()]);
  live = socket;
  socket.onopen = () => { document.body.dataset.live = 'on'; delay = 1000; };
  socket.onmessage = e => {
    let message;
    try { message = JSON.parse(e.data); } catch { return; }
    const r = route();
    const resource = r.view === 'resource' && RESOURCES[r.name];
    if (!resource || resource.live !== message.type || r.id === 'new') return;
    if (r.id && message.emergency_id && r.id !== message.emergency_id) return;
    if (document.activeElement && document.activeElement.closest('form')) return;
    cache.clear();
    render();
    document.body.dataset.liveUpdates = String(Number(document.body.dataset.liveUpdates || 0) + 1);
  };
  socket.onclose = e => {
    live = null;
    document.body.dataset.live = 'off';
    if (e.code === 4001 || !token()) return;
    setTimeout(() => connectLive(Math.min(delay * 2, 30000)), delay);
  };
}

// ---- start --------------------------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  const saved = localStorage.getItem(THEME_KEY);
  applyTheme(saved || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  buildNav();
  $('#signin-form').addEventListener('submit', signIn);
  $('#signout').addEventListener('click', signOut);
  $('#theme-toggle').addEventListener('click', () => applyTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark'));
  $('#menu').addEventListener('click', () => $('#nav').classList.toggle('open'));
  window.addEventListener('hashchange', render);
  render();
  connectLive();
});
