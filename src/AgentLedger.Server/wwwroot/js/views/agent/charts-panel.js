// A chart with its legend and the same numbers as a table.
import { bucketLabel } from '../../charts.js';
import { h, replace } from '../../dom.js';
import { emptyState } from '../../ui.js';

/** A chart with a heading, a legend and the same numbers as a table for screen readers and keyboards. */
export function chartFigure(id, heading, legend) {
  const caption = h('h3', { id: `${id}-title`, text: heading });
  const holder = h('div', { class: 'chart-holder', id });
  const table = h('div', { class: 'chart-table' });
  const el = h('figure', { class: 'chart-figure', 'aria-labelledby': `${id}-title` },
    caption,
    holder,
    h('figcaption', { class: 'legend' }, legend.map(([cls, label]) => h('span', {}, h('span', { class: `swatch ${cls}`, 'aria-hidden': 'true' }), label))),
    h('details', {}, h('summary', { text: 'Show as table' }), table));
  return {
    el,
    render(text, draw, history, columns, cells, include) {
      caption.textContent = text;
      replace(holder, draw(Math.max(240, holder.clientWidth || 600)));
      const rows = history.points.filter(include);
      const span = history.points.length > 1 ? (Date.parse(history.points.at(-1).start) - Date.parse(history.points[0].start)) / 3.6e6 : 0;
      replace(table, rows.length
        ? h('table', { class: 'compact' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: history.bucket === '1d' ? 'Day' : 'Hour' }), columns.map(c => h('th', { scope: 'col', text: c })))),
          h('tbody', {}, rows.map(p => h('tr', {}, h('th', { scope: 'row' }, h('time', { datetime: p.start, title: p.start, text: bucketLabel(p.start, history.bucket, span) })), cells(p).map(v => h('td', { text: v }))))))
        : emptyState('No runs in this window.'));
    },
  };
}
