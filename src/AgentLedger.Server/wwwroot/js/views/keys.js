// Keys (admins): create a named key (shown once), see every key with its last use, revoke one.
import { get, send } from '../api.js';
import { DASH, enc, h, replace, timeEl } from '../dom.js';
import { confirmDialog, emptyState, problemElement, setBusy, toast, toastError } from '../ui.js';

const ROLES = ['read', 'review', 'report', 'admin'];
const LIFETIMES = [['', 'Never'], ['30', '30 days'], ['90', '90 days'], ['365', '1 year']];

export function mountKeys(root, ctx) {
  document.title = 'Keys · AgentLedger';
  const name = h('input', { id: 'key-new-name', name: 'name', required: true, maxlength: '64', autocomplete: 'off', spellcheck: 'false' });
  const role = h('select', { id: 'key-new-role', name: 'role' }, ROLES.map(r => h('option', { value: r, text: r })));
  const agents = h('input', { id: 'key-new-agents', name: 'agents', placeholder: 'field-*, py-agent', autocomplete: 'off', spellcheck: 'false' });
  const agentsField = h('div', { class: 'field', hidden: true }, h('label', { for: 'key-new-agents', text: 'Agents (report keys)' }), agents);
  const lifetime = h('select', { id: 'key-new-expires' }, LIFETIMES.map(([v, t]) => h('option', { value: v, text: t })));
  const create = h('button', { type: 'submit', class: 'primary', text: 'Create key' });
  const errors = h('div', { class: 'form-errors', role: 'alert' });
  const created = h('div', { id: 'key-created', 'aria-live': 'polite' });
  const tbody = h('tbody');
  role.addEventListener('change', () => {
    agentsField.hidden = role.value !== 'report';
  });

  const form = h('form', { class: 'keys-form', novalidate: true, 'aria-label': 'Create a key' },
    h('div', { class: 'field' }, h('label', { for: 'key-new-name', text: 'Name' }), name),
    h('div', { class: 'field' }, h('label', { for: 'key-new-role', text: 'Role' }), role),
    agentsField,
    h('div', { class: 'field' }, h('label', { for: 'key-new-expires', text: 'Expires' }), lifetime),
    create);
  root.append(
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', { tabindex: '-1', text: 'Keys' }),
        h('p', { class: 'muted lead', text: 'Named API keys and their roles: read < review < admin; report keys report runs of their agents only. A key is shown once, when it is created.' }))),
    h('section', { 'aria-labelledby': 'keys-create-title' }, h('h2', { id: 'keys-create-title', text: 'New key' }), form, errors, created),
    h('section', { 'aria-labelledby': 'keys-list-title' },
      h('h2', { id: 'keys-list-title', text: 'All keys' }),
      h('div', { class: 'table-wrap' },
        h('table', { class: 'keys-table', id: 'keys-table' },
          h('thead', {}, h('tr', {}, ['Id', 'Name', 'Role', 'Agents', 'Created', 'Expires', 'Last used', 'Revoked', 'Actions'].map(c => h('th', { scope: 'col', text: c })))),
          tbody))));

  form.addEventListener('submit', async event => {
    event.preventDefault();
    replace(errors);
    const body = { name: name.value.trim(), role: role.value };
    if (role.value === 'report') {
      body.agents = agents.value.split(',').map(a => a.trim()).filter(Boolean);
    }
    if (lifetime.value) {
      body.expires_at = new Date(Date.now() + Number(lifetime.value) * 86400000).toISOString();
    }
    setBusy(create, true, 'Creating…');
    try {
      const key = await send('POST', '/api/keys', body);
      replace(created,
        h('p', {}, `Key “${key.name}” (${key.role}) created. Copy it now: it is not shown again.`),
        h('output', { class: 'new-key', id: 'key-new-value', text: key.key }));
      name.value = '';
      await load();
    } catch (error) {
      replace(errors, problemElement(error));
    } finally {
      setBusy(create, false);
    }
  });

  async function load() {
    try {
      const page = await get('/api/keys?limit=500');
      replace(tbody, page.items.length === 0
        ? h('tr', {}, h('td', { colspan: '9' }, emptyState('No named keys yet: the bootstrap key from the configuration is the only one.')))
        : page.items.map(row));
      ctx.ok();
    } catch (error) {
      ctx.failed(error);
    }
  }

  function row(k) {
    const revoke = h('button', { type: 'button', class: 'small reject', dataset: { action: 'revoke' }, 'aria-label': `Revoke ${k.name}`, text: 'Revoke' });
    revoke.addEventListener('click', async () => {
      if (!await confirmDialog(`Revoke ${k.name}?`, `Every request with ${k.name} is refused from now on, on every node. This cannot be undone.`, 'Revoke')) {
        return;
      }
      setBusy(revoke, true, 'Revoking…');
      try {
        await send('DELETE', `/api/keys/${enc(k.id)}`);
        toast(`Revoked ${k.name}.`, { kind: 'success' });
        await load();
      } catch (error) {
        toastError(`Could not revoke ${k.name}`, error);
        setBusy(revoke, false);
      }
    });
    const when = iso => (iso ? timeEl(iso) : DASH);
    return h('tr', { dataset: { key: k.id, name: k.name } },
      h('td', {}, h('code', { text: k.id })),
      h('td', { text: k.name }),
      h('td', { dataset: { field: 'role' }, text: k.role }),
      h('td', { text: k.agents.length ? k.agents.join(', ') : DASH }),
      h('td', {}, when(k.created_at)),
      h('td', {}, when(k.expires_at)),
      h('td', { dataset: { field: 'last_used_at' } }, when(k.last_used_at)),
      h('td', { dataset: { field: 'revoked_at' } }, when(k.revoked_at)),
      h('td', { class: 'actions-cell' }, k.revoked_at ? DASH : revoke));
  }

  load();
  return { refresh: load };
}
