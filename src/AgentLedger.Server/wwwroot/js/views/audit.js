// The audit log (admins): who changed what, and refused keys, newest first.
import { get } from '../api.js';
import { DASH, h, prettyJson, replace, timeEl } from '../dom.js';
import { emptyState, setBusy } from '../ui.js';

const ACTIONS = ['settings.update', 'settings.reset', 'agent.run', 'proposal.approve', 'proposal.reject', 'key.create', 'key.revoke', 'key.rotate', 'auth.denied'];

export function mountAudit(root, ctx) {
  document.title = 'Audit · AgentLedger';
  const action = h('select', { id: 'audit-action' }, h('option', { value: '', text: 'All actions' }), ACTIONS.map(a => h('option', { value: a, text: a })));
  action.value = ACTIONS.includes(ctx.params.get('action')) ? ctx.params.get('action') : '';
  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'ghost', hidden: true, text: 'Older entries' });
  let cursor = null;

  root.append(
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', { tabindex: '-1', text: 'Audit log' }),
        h('p', { class: 'muted lead', text: 'Every settings change, run request, decision and key change with the key that made it, and refused keys. Kept for at least 400 days.' })),
      h('form', { class: 'audit-filters', role: 'search', 'aria-label': 'Filter the audit log', onsubmit: e => e.preventDefault() },
        h('div', { class: 'field' }, h('label', { for: 'audit-action', text: 'Action' }), action))),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'audit-table', id: 'audit-table' },
        h('thead', {}, h('tr', {}, ['When', 'Action', 'Key', 'Role', 'Resource', 'Status', 'From', 'Change'].map(c => h('th', { scope: 'col', text: c })))),
        tbody)),
    more);

  async function load(append = false) {
    const query = new URLSearchParams({ limit: '50' });
    if (action.value) {
      query.set('action', action.value);
    }
    if (append && cursor) {
      query.set('cursor', cursor);
    }
    try {
      const page = await get(`/api/audit?${query}`);
      cursor = page.next_cursor;
      more.hidden = !cursor;
      const rows = page.items.map(row);
      if (append) {
        tbody.append(...rows);
      } else {
        replace(tbody, rows.length ? rows : h('tr', {}, h('td', { colspan: '8' }, emptyState('Nothing recorded yet.'))));
      }
      ctx.ok();
    } catch (error) {
      ctx.failed(error);
    }
  }

  function row(e) {
    const change = e.before || e.after
      ? h('details', {}, h('summary', { text: 'before / after' }),
        h('pre', { class: 'json', text: `before: ${prettyJson(e.before)}\nafter: ${prettyJson(e.after)}` }))
      : DASH;
    return h('tr', { dataset: { action: e.action, id: String(e.id) } },
      h('td', {}, timeEl(e.at)),
      h('td', {}, h('code', { text: e.action })),
      h('td', { dataset: { field: 'key_name' }, text: e.key_name ?? e.key_id ?? DASH }),
      h('td', { text: e.role ?? DASH }),
      h('td', { text: e.resource_type ? `${e.resource_type} ${e.resource_id ?? ''}` : DASH }),
      h('td', { class: 'figure', text: String(e.status_code) }),
      h('td', { text: e.remote_address ?? DASH }),
      h('td', {}, change));
  }

  action.addEventListener('change', () => {
    ctx.setParam('action', action.value);
    load();
  });
  more.addEventListener('click', async () => {
    setBusy(more, true, 'Loading…');
    await load(true);
    setBusy(more, false);
  });
  load();
  // Polling refreshes the first page only when the reader has not paged further.
  return { refresh: () => (cursor && tbody.children.length > 50 ? Promise.resolve() : load()) };
}
