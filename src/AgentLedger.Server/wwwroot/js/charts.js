// Charts as plain SVG built from the history API's points; colours come from CSS classes so the
// dark scheme applies. Each chart carries a text summary (role="img" + aria-label).
import { fmtDuration } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';

export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) {
      el.setAttribute(key, String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) {
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return el;
}

const r1 = v => Math.round(v * 10) / 10;

/** One path of bars: cheaper than a rect per bucket for long windows. */
function barsPath(values, x, width, y, base) {
  let d = '';
  values.forEach((v, i) => {
    if (v > 0) {
      d += `M${r1(x(i))},${r1(base)}V${r1(y(v))}h${r1(width)}V${r1(base)}Z`;
    }
  });
  return d;
}

/** A share (0…1) as a small bar; decorative, the percentage beside it says the same. */
export function shareBar(share, { width = 64, height = 6 } = {}) {
  const filled = Math.max(0, Math.min(1, share ?? 0)) * width;
  return s('svg', { class: 'share-bar', viewBox: `0 0 ${width} ${height}`, width, height, 'aria-hidden': 'true', focusable: 'false' },
    s('rect', { class: 'share-track', width, height, rx: height / 2 }),
    // At least a dot, so a small share is still seen to be there.
    filled > 0 ? s('rect', { class: 'fill-failure', width: r1(Math.max(filled, height)), height, rx: height / 2 }) : null);
}

/** The overview's tiny runs/failures chart: runs as bars, failures over them in the danger colour. */
export function sparkline(points, { width = 120, height = 28, label }) {
  const n = Math.max(points.length, 1);
  const max = Math.max(1, ...points.map(p => p.runs));
  const step = width / n;
  const gap = step > 3 ? 1 : 0;
  const x = i => i * step;
  const y = v => height - (v / max) * (height - 2);
  // preserveAspectRatio none: on a phone the sparkline stretches to the card's width.
  return s('svg', { class: 'spark', width, height, viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label },
    s('title', {}, label),
    s('line', { class: 'axis', x1: 0, x2: width, y1: height - 0.5, y2: height - 0.5 }),
    s('path', { class: 'fill-runs', d: barsPath(points.map(p => p.runs), x, step - gap, y, height) }),
    s('path', { class: 'fill-failure', d: barsPath(points.map(p => p.failure_count), x, step - gap, y, height) }));
}

function niceMax(value) {
  if (value <= 0) {
    return 1;
  }
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const f of [1, 2, 2.5, 5, 10]) {
    if (f * magnitude >= value) {
      return f * magnitude;
    }
  }
  return 10 * magnitude;
}

const hourFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
const dayHourFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'short', hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat('en-GB', { month: 'short', day: 'numeric' });

export function bucketLabel(iso, bucket, spanHours) {
  const date = new Date(iso);
  if (bucket === '1d') {
    return dayFormat.format(date);
  }
  return spanHours > 30 ? dayHourFormat.format(date) : hourFormat.format(date);
}

function frame({ width, height, yMax, yFormat, points, bucket }) {
  const m = { top: 10, right: 8, bottom: 22, left: 52 };
  const plotW = Math.max(10, width - m.left - m.right);
  const plotH = height - m.top - m.bottom;
  const n = Math.max(points.length, 1);
  const step = plotW / n;
  const y = v => m.top + plotH - (v / yMax) * plotH;
  const grid = [];
  for (const t of [0, 0.5, 1]) {
    const v = yMax * t;
    grid.push(
      s('line', { class: 'grid', x1: m.left, x2: m.left + plotW, y1: r1(y(v)), y2: r1(y(v)) }),
      s('text', { class: 'tick', x: m.left - 6, y: r1(y(v)) + 4, 'text-anchor': 'end' }, yFormat(v)));
  }
  const spanHours = points.length > 1 ? (Date.parse(points.at(-1).start) - Date.parse(points[0].start)) / 3.6e6 : 0;
  const labels = Math.max(2, Math.min(6, Math.floor(plotW / 90)));
  const every = Math.max(1, Math.ceil(n / labels));
  for (let i = 0; i < points.length; i += every) {
    grid.push(s('text', { class: 'tick', x: r1(m.left + i * step + step / 2), y: height - 6, 'text-anchor': 'middle' },
      bucketLabel(points[i].start, bucket, spanHours)));
  }
  return { m, plotW, plotH, step, y, grid, spanHours };
}

/** Runs per bucket, stacked: successes, failures, and the rest (cancelled, still running). */
export function runsChart(points, { width, height = 200, bucket, label }) {
  // Counts: at least 0, 1, 2 on the axis so no tick is a fraction.
  const yMax = niceMax(Math.max(2, ...points.map(p => p.runs)));
  const f = frame({ width, height, yMax, yFormat: v => String(Math.round(v)), points, bucket });
  const gap = f.step > 4 ? 1 : 0;
  const x = i => f.m.left + i * f.step + gap / 2;
  const base = f.y(0);
  const ok = points.map(p => p.success_count);
  const failed = points.map(p => p.failure_count);
  const other = points.map(p => Math.max(0, p.runs - p.success_count - p.failure_count));
  // Stack: successes at the bottom, failures above them, the rest on top.
  const stacked = (values, below) => {
    let d = '';
    values.forEach((v, i) => {
      if (v > 0) {
        const y0 = f.y(below[i]);
        const y1 = f.y(below[i] + v);
        d += `M${r1(x(i))},${r1(y0)}V${r1(y1)}h${r1(f.step - gap)}V${r1(y0)}Z`;
      }
    });
    return d;
  };
  const zero = points.map(() => 0);
  const hits = points.map((p, i) => s('rect', {
    class: 'hit', x: r1(f.m.left + i * f.step), y: f.m.top, width: r1(f.step), height: f.plotH,
  }, s('title', {}, `${bucketLabel(p.start, bucket, f.spanHours)}: ${p.runs} runs, ${p.success_count} succeeded, ${p.failure_count} failed`)));
  return s('svg', { class: 'chart', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label },
    f.grid,
    s('path', { class: 'fill-success', d: stacked(ok, zero) }),
    s('path', { class: 'fill-failure', d: stacked(failed, ok) }),
    s('path', { class: 'fill-other', d: stacked(other, ok.map((v, i) => v + failed[i])) }),
    s('line', { class: 'axis', x1: f.m.left, x2: f.m.left + f.plotW, y1: r1(base), y2: r1(base) }),
    hits);
}

/** Duration percentiles per bucket as lines; buckets without finished runs leave a gap. */
export function durationChart(points, { width, height = 200, bucket, label }) {
  const values = points.flatMap(p => [p.duration_ms.p50, p.duration_ms.p95]).filter(v => v !== null && v !== undefined);
  const yMax = niceMax(Math.max(0, ...values));
  const f = frame({ width, height, yMax, yFormat: v => (v === 0 ? '0' : fmtDuration(v)), points, bucket });
  const cx = i => f.m.left + i * f.step + f.step / 2;
  const line = (key, cls) => {
    let d = '';
    let drawing = false;
    const dots = [];
    points.forEach((p, i) => {
      const v = p.duration_ms[key];
      if (v === null || v === undefined) {
        drawing = false;
        return;
      }
      d += `${drawing ? 'L' : 'M'}${r1(cx(i))},${r1(f.y(v))}`;
      const lonely = (i === 0 || points[i - 1].duration_ms[key] == null) && (i === points.length - 1 || points[i + 1].duration_ms[key] == null);
      if (lonely || points.length <= 48) {
        dots.push(s('circle', { class: cls, cx: r1(cx(i)), cy: r1(f.y(v)), r: lonely ? 2.5 : 2 }));
      }
      drawing = true;
    });
    return [s('path', { class: `line ${cls}`, d }), dots];
  };
  const hits = points.map((p, i) => s('rect', {
    class: 'hit', x: r1(f.m.left + i * f.step), y: f.m.top, width: r1(f.step), height: f.plotH,
  }, s('title', {}, `${bucketLabel(p.start, bucket, f.spanHours)}: p50 ${fmtDuration(p.duration_ms.p50)}, p95 ${fmtDuration(p.duration_ms.p95)}`)));
  return s('svg', { class: 'chart', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label },
    f.grid,
    s('line', { class: 'axis', x1: f.m.left, x2: f.m.left + f.plotW, y1: r1(f.y(0)), y2: r1(f.y(0)) }),
    line('p95', 'stroke-p95'),
    line('p50', 'stroke-p50'),
    hits);
}
