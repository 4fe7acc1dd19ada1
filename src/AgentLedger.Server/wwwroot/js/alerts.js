// Health changes (GET /api/alerts) as a compact table: when, which agent, the change from one
// health to the next, why, and how its webhook went. Used by the overview (every agent) and an
// agent's page (that agent only); rows are keyed by alert id and updated in place on each poll.
import { DASH, enc, fmtDateTime, h, reconcile, replace, updateTimeEl } from './dom.js';
import { emptyState } from './ui.js';

export const NO_ALERTS = 'No health changes yet.';

/** The API's query for the newest alerts, of one agent when `agent` is given. */
export function alertsPath({ agent = null, limit }) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (agent) {
    query.set('agent', agent);
  }
  return `/api/alerts?${query}`;
}

/**
 * The section: `{ el, render(page) }`, where `page` is the API's `{ items, next_cursor }`.
 * With `agent` the list is that agent's and leaves out the agent column.
 */
export function alertsSection({ agent = null, heading, caption, id = 'alerts' }) {
  const titleId = `${id}-title`;
  const summary = h('p', { class: 'updated muted' });
  const tbody = h('tbody');
  const columns = [['Raised'], agent ? null : ['Agent'], ['Change'], ['Reason'], ['Webhook']].filter(Boolean);
  const table = h('div', { class: 'table-wrap' },
    h('table', { class: 'alerts-table', id: `${id}-table` },
      h('caption', { class: 'sr-only', text: caption }),
      h('thead', {}, h('tr', {}, columns.map(([label]) => h('th', { scope: 'col', text: label })))),
      tbody));
  const empty = emptyState(NO_ALERTS);
  const body = h('div', { class: 'alerts-body' }, empty);
  const rows = new Map();
  const el = h('section', { class: 'alerts', id, 'aria-labelledby': titleId },
    h('div', { class: 'section-head' }, h('h2', { id: titleId, text: heading }), summary),
    body);

  return {
    el,
    render(page) {
      const items = page.items;
      summary.textContent = items.length > 1 ? `The latest ${items.length} changes, newest first` : '';
      if (!items.length) {
        rows.clear();
        if (empty.parentNode !== body) {
          replace(body, empty);
        }
        return;
      }
      const nodes = items.map(alert => {
        let row = rows.get(alert.id);
        if (!row) {
          row = alertRow(alert.id, !agent);
          rows.set(alert.id, row);
        }
        row.update(alert);
        return row.tr;
      });
      const shown = new Set(items.map(a => a.id));
      for (const key of [...rows.keys()]) {
        if (!shown.has(key)) {
          rows.delete(key);
        }
      }
      reconcile(tbody, nodes);
      if (table.parentNode !== body) {
        replace(body, table);
      }
    },
  };
}

/** A health word in the same pill as the overview's health verdict. */
function healthPill(health) {
  return h('span', { class: `health health-${health}`, dataset: { health }, text: health });
}

function alertRow(id, showAgent) {
  // The time and the link stay the same elements across polls, so keyboard focus on the link survives.
  const time = h('time');
  const link = showAgent ? h('a', { class: 'agent-link' }) : null;
  const raised = h('th', { scope: 'row', class: 'alert-time', dataset: { label: 'Raised', field: 'raised_at' } }, time);
  const agentCell = showAgent ? h('td', { dataset: { label: 'Agent', field: 'agent_name' } }, link) : null;
  const change = h('td', { class: 'alert-change', dataset: { label: 'Change', field: 'health' } });
  const reason = h('td', { class: 'alert-reason-cell', dataset: { label: 'Reason', field: 'health_reason' } });
  const reasonText = h('span', { class: 'alert-reason' });
  reason.append(reasonText);
  const delivery = h('td', { class: 'alert-delivery-cell', dataset: { label: 'Webhook', field: 'delivery' } });
  const tr = h('tr', { dataset: { alert: id } }, raised, agentCell, change, reason, delivery);

  function update(alert) {
    tr.dataset.agent = alert.agent_name;
    updateTimeEl(time, alert.raised_at);
    if (link) {
      link.setAttribute('href', `#/agents/${enc(alert.agent_name)}`);
      link.textContent = alert.agent_name;
    }
    change.dataset.previous = alert.previous_health ?? '';
    change.dataset.value = alert.health;
    replace(change,
      alert.previous_health
        ? healthPill(alert.previous_health)
        : h('span', { class: 'muted', title: 'The first time this agent was judged: no earlier health is recorded', text: 'first check' }),
      h('span', { class: 'alert-arrow', 'aria-hidden': 'true', text: '→' }),
      h('span', { class: 'sr-only', text: ' to ' }),
      healthPill(alert.health));
    reasonText.textContent = alert.health_reason;
    reasonText.title = alert.health_reason;
    replace(delivery, deliveryStatus(alert.delivery));
  }

  return { tr, update };
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** How the webhook went, in words; the details (target, times, the last error) are in the title. */
export function deliveryStatus(d) {
  const tried = d.attempts ? `${plural(d.attempts, 'attempt')} to ${d.target ?? 'the webhook'}` : null;
  const last = d.last_error ? `Last error: ${d.last_error}` : d.last_response_status ? `Last answer: HTTP ${d.last_response_status}` : null;
  let text;
  let title;
  switch (d.status) {
    case 'none':
      text = 'no webhook';
      title = 'No webhook was configured when it was raised: it is only listed here.';
      break;
    case 'delivered':
      text = 'delivered';
      title = [`Delivered ${fmtDateTime(d.delivered_at)}`, tried].filter(Boolean).join(' · ');
      break;
    case 'pending':
      text = d.attempts ? `pending, ${plural(d.attempts, 'attempt')}` : 'pending';
      title = [d.next_attempt_at ? `Next attempt ${fmtDateTime(d.next_attempt_at)}` : 'Not sent yet', tried, last].filter(Boolean).join(' · ');
      break;
    case 'failed':
      text = 'failed';
      title = [last ?? 'Failed', tried].filter(Boolean).join(' · ');
      break;
    default:
      // A newer server's status still shows its wire name.
      text = d.status ?? DASH;
      title = [tried, last].filter(Boolean).join(' · ');
  }
  return h('span', { class: `delivery delivery-${d.status}`, dataset: { status: d.status ?? '' }, title: title || null, text });
}
