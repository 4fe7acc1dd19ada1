// The window against the one before it.
import { fmtCount, fmtDuration, fmtPercent, h, replace, timeEl } from '../../dom.js';
import { deltaBadge } from '../../ui.js';

// The figures compared with the previous window: how each is read, printed, and which way is better.
const COMPARED = [
  { field: 'runs', label: 'Runs', value: w => w.runs, format: fmtCount, delta: d => d.runs, kind: 'count', better: 0 },
  { field: 'success_rate', label: 'Success rate', value: w => w.success_rate, format: fmtPercent, delta: d => d.success_rate, kind: 'rate', better: 1 },
  { field: 'p95', label: 'Duration p95', value: w => w.duration_ms.p95, format: fmtDuration, delta: d => d.p95_duration_ms, kind: 'duration', better: -1 },
  { field: 'proposals_created', label: 'Proposals', value: w => w.proposals_created, format: fmtCount, delta: d => d.proposals_created, kind: 'count', better: 0 },
  { field: 'approval_rate', label: 'Approval rate', value: w => w.approval_rate, format: fmtPercent, delta: d => d.approval_rate, kind: 'rate', better: 1 },
];

/** This window against the one before it (?compare=previous): both values and the API's delta for each figure. */
export function comparisonTable() {
  const heading = h('h2', { id: 'comparison-title' });
  const period = h('p', { class: 'updated muted' });
  const caption = h('caption', { class: 'sr-only' });
  const columns = { current: h('th', { scope: 'col', class: 'figure' }), previous: h('th', { scope: 'col', class: 'figure' }) };
  const rows = COMPARED.map(metric => {
    const cells = {
      current: h('td', { class: 'figure', dataset: { column: 'current' } }),
      previous: h('td', { class: 'figure', dataset: { column: 'previous' } }),
      delta: h('td', { class: 'figure', dataset: { column: 'delta' } }),
    };
    const tr = h('tr', { dataset: { field: metric.field } }, h('th', { scope: 'row', text: metric.label }), cells.current, cells.previous, cells.delta);
    return { metric, tr, cells };
  });
  const el = h('section', { class: 'comparison', 'aria-labelledby': 'comparison-title', hidden: true },
    h('div', { class: 'section-head' }, heading, period),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'comparison-table' },
        caption,
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Figure' }), columns.current, columns.previous, h('th', { scope: 'col', class: 'figure', text: 'Change' }))),
        h('tbody', {}, rows.map(r => r.tr)))));

  function setFigure(td, raw, text) {
    td.dataset.value = raw === null || raw === undefined ? '' : String(raw);
    td.textContent = text;
  }

  return {
    el,
    render(stats, window) {
      const { window: now, previous, deltas } = stats;
      // A server without the comparison leaves both out: show nothing rather than made-up zeros.
      el.hidden = !previous || !deltas;
      if (el.hidden) {
        return;
      }
      heading.textContent = `Last ${window} vs previous ${window}`;
      caption.textContent = `The last ${window} compared with the ${window} before it`;
      columns.current.textContent = `Last ${window}`;
      columns.previous.textContent = `Previous ${window}`;
      replace(period, 'Previous: ', timeEl(previous.from, { absolute: true }), ' – ', timeEl(previous.to, { absolute: true }));
      for (const { metric, cells } of rows) {
        setFigure(cells.current, metric.value(now), metric.format(metric.value(now)));
        setFigure(cells.previous, metric.value(previous), metric.format(metric.value(previous)));
        replace(cells.delta, deltaBadge(metric.delta(deltas), { kind: metric.kind, better: metric.better }));
      }
    },
  };
}
