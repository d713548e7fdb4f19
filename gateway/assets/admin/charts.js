// HunarMitra admin console: charts drawn as inline SVG by this file alone (issue #19), no library and no
// request of its own. `Charts.bars` stacks each bucket's series; `Charts.lines` draws one line per series.
// Every value is one element marked `data-point` (its bucket and series in data attributes, its value in
// a <title> tooltip), so a test can count what was drawn against the data.
'use strict';

const Charts = (() => {
  const NS = 'http://www.w3.org/2000/svg';
  const W = 720, H = 240, PAD = { left: 44, right: 12, top: 12, bottom: 40 };
  // Distinct in light and dark themes; the series keep their colour across charts by index.
  const COLOURS = ['#1565c0', '#e8730c', '#2e7d32', '#c62828', '#6a1b9a', '#00838f', '#9e9d24', '#5d4037', '#ad1457', '#455a64'];

  function svg(tag, attrs = {}, ...children) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    for (const c of children) node.append(c);
    return node;
  }

  function title(text) {
    const t = svg('title');
    t.textContent = text;
    return t;
  }

  // Round numbers for the value axis: 0 and up to 4 steps of 1, 2 or 5 × 10^n.
  function ticks(max) {
    if (max <= 0) return [0, 1];
    const raw = max / 4, mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map(m => m * mag).find(s => s >= raw);
    const out = [];
    for (let v = 0; v <= max + step / 2; v += step) out.push(v);
    if (out[out.length - 1] < max) out.push(out[out.length - 1] + step);
    return out;
  }

  // The frame: value axis with its grid, and every `every`-th bucket label on the time axis.
  function frame(root, labels, top, x) {
    const scale = ticks(top), max = scale[scale.length - 1];
    const y = v => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / max);
    for (const v of scale) {
      root.append(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: 'grid' }));
      const t = svg('text', { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' });
      t.textContent = String(v);
      root.append(t);
    }
    const every = Math.max(1, Math.ceil(labels.length / 8));
    labels.forEach((label, i) => {
      if (i % every) return;
      const t = svg('text', { x: x(i), y: H - PAD.bottom + 16, 'text-anchor': 'middle', class: 'axis' });
      t.textContent = label;
      root.append(t);
    });
    return y;
  }

  function legend(series) {
    const list = document.createElement('ul');
    list.className = 'legend';
    series.forEach((s, i) => {
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = COLOURS[i % COLOURS.length];
      item.append(swatch, s.name);
      list.append(item);
    });
    return list;
  }

  function figure(id, caption, root, series) {
    const fig = document.createElement('figure');
    fig.className = 'chart';
    fig.dataset.chart = id;
    const cap = document.createElement('figcaption');
    cap.textContent = caption;
    fig.append(cap, root, legend(series));
    return fig;
  }

  // labels: the buckets (days, hours); series: [{name, values: [number per bucket]}].
  function bars(id, caption, labels, series) {
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': caption });
    const slot = (W - PAD.left - PAD.right) / Math.max(1, labels.length);
    const x = i => PAD.left + slot * (i + 0.5);
    const totals = labels.map((_, i) => series.reduce((a, s) => a + (s.values[i] || 0), 0));
    const y = frame(root, labels, Math.max(0, ...totals), x);
    labels.forEach((label, i) => {
      let base = 0;
      series.forEach((s, k) => {
        const v = s.values[i] || 0;
        const rect = svg('rect', {
          x: x(i) - slot * 0.35, width: slot * 0.7, y: y(base + v), height: Math.max(0, y(base) - y(base + v)),
          fill: COLOURS[k % COLOURS.length], 'data-point': '', 'data-bucket': label, 'data-series': s.name, 'data-value': v,
        }, title(`${label} · ${s.name}: ${v}`));
        root.append(rect);
        base += v;
      });
    });
    return figure(id, caption, root, series);
  }

  function lines(id, caption, labels, series) {
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': caption });
    const span = (W - PAD.left - PAD.right) / Math.max(1, labels.length - 1);
    const x = i => PAD.left + span * i;
    const y = frame(root, labels, Math.max(0, ...series.flatMap(s => s.values)), x);
    series.forEach((s, k) => {
      const colour = COLOURS[k % COLOURS.length];
      root.append(svg('polyline', {
        points: s.values.map((v, i) => `${x(i)},${y(v || 0)}`).join(' '), fill: 'none', stroke: colour, 'stroke-width': 2,
      }));
      s.values.forEach((v, i) => root.append(svg('circle', {
        cx: x(i), cy: y(v || 0), r: 2.5, fill: colour,
        'data-point': '', 'data-bucket': labels[i], 'data-series': s.name, 'data-value': v || 0,
      }, title(`${labels[i]} · ${s.name}: ${v || 0}`))));
    });
    return figure(id, caption, root, series);
  }

  return { bars, lines };
})();
