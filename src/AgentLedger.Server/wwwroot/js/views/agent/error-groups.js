// The window's failures grouped by error.
import { shareBar } from '../../charts.js';
import { DASH, fmtCount, fmtPercent, h, reconcile, replace, updateTimeEl } from '../../dom.js';
import { emptyState } from '../../ui.js';

// Error groups: at phone width the share and first seen are left out too.
const GROUP_COLUMNS = [['Error type'], ['Message'], ['Count', 'figure'], ['Share', 'figure optional'], ['First seen', 'optional'], ['Last seen']];

/** The window's failures grouped by fingerprint, newest first as the API orders them; rows are keyed so polling keeps expanded messages. */
export function errorGroupsTable(name) {
  const summary = h('p', { class: 'updated muted' });
  const caption = h('caption', { class: 'sr-only' });
  const tbody = h('tbody');
  const table = h('div', { class: 'table-wrap' },
    h('table', { class: 'error-groups-table' },
      caption,
      h('thead', {}, h('tr', {}, GROUP_COLUMNS.map(([label, cls]) => h('th', { scope: 'col', class: cls ?? null, text: label })))),
      tbody));
  const empty = emptyState('No failures in this window.');
  const body = h('div', { class: 'error-groups-body' });
  const rows = new Map();
  const el = h('section', { class: 'error-groups', 'aria-labelledby': 'error-groups-title' },
    h('div', { class: 'section-head' }, h('h2', { id: 'error-groups-title', text: 'Error groups' }), summary),
    body);

  return {
    el,
    render(list) {
      const groups = list.items;
      const failures = `${fmtCount(list.failures)} ${list.failures === 1 ? 'failure' : 'failures'}`;
      summary.textContent = groups.length
        ? `${failures} in the last ${list.window}, in ${fmtCount(groups.length)} ${groups.length === 1 ? 'group' : 'groups'}`
        : `No failures in the last ${list.window}`;
      if (!groups.length) {
        rows.clear();
        if (empty.parentNode !== body) {
          replace(body, empty);
        }
        return;
      }
      caption.textContent = `Failures of ${name} in the last ${list.window}, grouped by error type and message, most recent first`;
      const nodes = groups.map(group => {
        let row = rows.get(group.fingerprint);
        if (!row) {
          row = errorGroupRow(group.fingerprint);
          rows.set(group.fingerprint, row);
        }
        row.update(group);
        return row.tr;
      });
      const shown = new Set(groups.map(g => g.fingerprint));
      for (const fingerprint of [...rows.keys()]) {
        if (!shown.has(fingerprint)) {
          rows.delete(fingerprint);
        }
      }
      reconcile(tbody, nodes);
      if (table.parentNode !== body) {
        replace(body, table);
      }
    },
  };
}

function errorGroupRow(fingerprint) {
  const type = h('code');
  const message = h('button', { type: 'button', class: 'error-toggle', 'aria-expanded': 'false' });
  // Shown with the expanded message: what the occurrences have in common, as the API normalised it.
  const pattern = h('span', { class: 'cell-note group-pattern' });
  const messageCell = h('td', { class: 'group-message', dataset: { label: 'Message', field: 'sample_message' } });
  const count = h('td', { class: 'figure', dataset: { label: 'Count', field: 'count' } });
  const shareText = h('span', { class: 'num' });
  const bar = h('span', { class: 'share-holder' });
  const share = h('td', { class: 'figure share-cell optional', dataset: { label: 'Share', field: 'share_of_failures' } }, shareText, bar);
  const firstSeen = h('time');
  const lastSeen = h('time');
  const tr = h('tr', { dataset: { fingerprint } },
    h('th', { scope: 'row', dataset: { label: 'Error type', field: 'error_type' } }, type),
    messageCell, count, share,
    h('td', { class: 'optional', dataset: { label: 'First seen', field: 'first_seen' } }, firstSeen),
    h('td', { dataset: { label: 'Last seen', field: 'last_seen' } }, lastSeen));

  message.addEventListener('click', () => {
    message.setAttribute('aria-expanded', String(message.getAttribute('aria-expanded') !== 'true'));
  });

  function update(group) {
    type.textContent = group.error_type ?? DASH;
    if (group.sample_message) {
      message.textContent = group.sample_message;
      message.title = group.sample_message;
      pattern.textContent = `Grouped as: ${group.normalized_message}`;
      if (message.parentNode !== messageCell) {
        replace(messageCell, message, pattern); // re-inserting would drop focus and the expanded state
      }
    } else {
      replace(messageCell, h('span', { class: 'muted', text: 'no message' }));
    }
    count.dataset.value = String(group.count);
    count.textContent = fmtCount(group.count);
    share.dataset.value = String(group.share_of_failures);
    shareText.textContent = fmtPercent(group.share_of_failures);
    replace(bar, shareBar(group.share_of_failures));
    updateTimeEl(firstSeen, group.first_seen);
    updateTimeEl(lastSeen, group.last_seen);
  }

  return { tr, update };
}
