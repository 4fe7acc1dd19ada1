// Proposals: pending ones first, each with approve / reject and an optional reason.
import { get, send } from '../api.js';
import { withUser } from '../actions.js';
import { enc, h, prettyJson, replace, timeEl } from '../dom.js';
import { badge, emptyState, problemElement, setBusy, toast, toastError } from '../ui.js';

const STATUSES = ['pending', 'approved', 'rejected', 'expired'];
const PAGE_SIZE = 25;

export function mountProposals(root, ctx) {
  document.title = 'Proposals · AgentLedger';
  const agentFilter = h('select', { id: 'proposal-agent' }, h('option', { value: '', text: 'All agents' }));
  const statusFilter = h('select', { id: 'proposal-status' },
    h('option', { value: '', text: 'Pending first' }),
    STATUSES.map(s => h('option', { value: s, text: s })));
  const refreshButton = h('button', { type: 'button', class: 'ghost small', text: 'Refresh' });
  const sections = h('div', { class: 'proposal-sections' });
  const selectedAgent = ctx.params.get('agent') ?? '';
  statusFilter.value = STATUSES.includes(ctx.params.get('status')) ? ctx.params.get('status') : '';

  root.append(
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', { tabindex: '-1', text: 'Proposals' }),
        h('p', { class: 'muted lead', text: 'What the agents propose, for people to approve or reject. Decisions count towards each agent’s approval rate.' })),
      h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter proposals', onsubmit: e => e.preventDefault() },
        h('div', { class: 'field' }, h('label', { for: 'proposal-agent', text: 'Agent' }), agentFilter),
        h('div', { class: 'field' }, h('label', { for: 'proposal-status', text: 'Status' }), statusFilter),
        refreshButton)),
    sections);

  let lists = [];
  function build() {
    const agent = agentFilter.value;
    const status = statusFilter.value;
    const base = agent ? { agent_name: agent } : {};
    lists = status
      ? [proposalList(`${status[0].toUpperCase()}${status.slice(1)} proposals`, { ...base, status }, () => true)]
      : [
        proposalList('Awaiting review', { ...base, status: 'pending' }, () => true),
        proposalList('Decided and expired', base, p => p.status !== 'pending'),
      ];
    replace(sections, lists.map(l => l.el));
    return Promise.all(lists.map(l => l.load()));
  }

  agentFilter.addEventListener('change', () => {
    ctx.setParam('agent', agentFilter.value);
    build();
  });
  statusFilter.addEventListener('change', () => {
    ctx.setParam('status', statusFilter.value);
    build();
  });
  refreshButton.addEventListener('click', async () => {
    setBusy(refreshButton, true, 'Refreshing…');
    await build();
    setBusy(refreshButton, false);
  });

  (async () => {
    try {
      const { agents } = await get('/api/agents');
      for (const a of agents) {
        agentFilter.append(h('option', { value: a.name, text: a.display_name && a.display_name !== a.name ? `${a.display_name} (${a.name})` : a.name }));
      }
      if (agents.some(a => a.name === selectedAgent)) {
        agentFilter.value = selectedAgent;
      }
      ctx.ok();
    } catch (error) {
      ctx.failed(error);
    }
    build();
  })();
  return {};
}

function proposalList(heading, query, include) {
  const id = `list-${Math.random().toString(36).slice(2, 8)}`;
  const list = h('div', { class: 'proposal-list' });
  const status = h('p', { class: 'muted list-status', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'ghost', hidden: true, text: 'Load more' });
  const el = h('section', { class: 'proposal-section', 'aria-labelledby': id }, h('h2', { id, text: heading }), list, status, more);
  let cursor = null;
  let shown = 0;

  async function load() {
    setBusy(more, true, 'Loading…');
    try {
      // Client-side filtering can leave a page empty; read on until something shows or the list ends.
      let added = 0;
      for (let pages = 0; pages < 5; pages++) {
        const params = new URLSearchParams({ ...query, limit: String(PAGE_SIZE) });
        if (cursor) {
          params.set('cursor', cursor);
        }
        const result = await get(`/api/proposals?${params}`);
        for (const proposal of result.items.filter(include)) {
          list.querySelector(':scope > .empty')?.remove();
          list.append(proposalCard(proposal));
          added++;
        }
        cursor = result.next_cursor;
        if (added >= 5 || !cursor) {
          break;
        }
      }
      shown += added;
      status.textContent = shown ? `${shown} shown${cursor ? '' : ', that is all'}.` : '';
      if (!shown) {
        replace(list, emptyState('Nothing here.'));
      }
    } catch (error) {
      replace(status, problemElement(error));
    } finally {
      setBusy(more, false);
      more.hidden = !cursor;
    }
  }
  more.addEventListener('click', load);
  return { el, load };
}

function proposalCard(initial) {
  const titleId = `p-${initial.id}-title`;
  const article = h('article', { class: 'proposal', 'aria-labelledby': titleId, dataset: { proposalId: initial.id } });

  function render(p) {
    article.dataset.status = p.status;
    const heading = h('h3', { id: titleId, tabindex: '-1', class: 'proposal-title', text: p.title });
    const parts = [
      h('header', { class: 'proposal-head' }, heading, badge(p.status)),
      h('p', { class: 'proposal-meta muted' },
        h('a', { href: `#/agents/${enc(p.agent_name)}`, text: p.agent_name }), ' · ', h('code', { text: p.type }), ' · created ', timeEl(p.created_at),
        p.status === 'pending' && p.expires_at ? [' · expires ', timeEl(p.expires_at)] : null),
      p.explanation ? h('p', { class: 'proposal-explanation', text: p.explanation }) : null,
      (p.inputs_used?.length || p.data)
        ? h('details', { class: 'proposal-data' }, h('summary', { text: 'Inputs and data' }),
          p.inputs_used?.length ? h('p', {}, 'Inputs used: ', p.inputs_used.map((input, i) => [i ? ', ' : '', h('code', { text: input })])) : null,
          p.data ? h('pre', { class: 'json', text: prettyJson(p.data) }) : null,
          h('p', { class: 'muted' }, 'From run ', h('code', { text: p.execution_id })))
        : null,
    ];
    if (p.status === 'pending') {
      parts.push(decisionForm(p, updated => {
        render(updated);
        article.querySelector('h3').focus();
      }));
    } else if (p.decided_at) {
      parts.push(h('p', { class: 'decision' },
        `${p.status === 'approved' ? 'Approved' : p.status === 'rejected' ? 'Rejected' : 'Decided'}${p.decided_by ? ` by ${p.decided_by}` : ''}${p.decided_by_key ? ` (key ${p.decided_by_key})` : ''} `,
        timeEl(p.decided_at), p.decision_reason ? h('q', { text: p.decision_reason }) : null));
    } else if (p.status === 'expired') {
      parts.push(h('p', { class: 'decision muted' }, 'Expired ', timeEl(p.expires_at), ' without a decision.'));
    }
    replace(article, parts);
  }

  render(initial);
  return article;
}

function decisionForm(p, onDecided) {
  const reasonId = `reason-${p.id}`;
  const reason = h('input', { id: reasonId, name: 'reason', maxlength: '2000', autocomplete: 'off' });
  const approve = h('button', { type: 'button', class: 'approve', dataset: { action: 'approve' }, text: 'Approve' });
  const reject = h('button', { type: 'button', class: 'reject', dataset: { action: 'reject' }, text: 'Reject' });
  const form = h('form', { class: 'decision-form', onsubmit: e => e.preventDefault() },
    h('div', { class: 'field' }, h('label', { for: reasonId, text: 'Reason (optional, saved with the decision)' }), reason),
    h('div', { class: 'form-actions' }, approve, reject));

  async function decide(action, button) {
    setBusy(button, true, action === 'approve' ? 'Approving…' : 'Rejecting…');
    (button === approve ? reject : approve).disabled = true;
    try {
      const text = reason.value.trim();
      const updated = await send('POST', `/api/proposals/${enc(p.id)}/${action}`, () => withUser(text ? { reason: text } : {}, 'decided_by'));
      toast(`${action === 'approve' ? 'Approved' : 'Rejected'}: ${p.title}`, { kind: 'success' });
      onDecided(updated);
    } catch (error) {
      toastError(`Could not ${action} the proposal`, error);
      if (error.status === 409) {
        // Someone else decided (or it expired) meanwhile: show what it is now.
        onDecided(await get(`/api/proposals/${enc(p.id)}`));
        return;
      }
      setBusy(button, false);
      approve.disabled = false;
      reject.disabled = false;
    }
  }
  approve.addEventListener('click', () => decide('approve', approve));
  reject.addEventListener('click', () => decide('reject', reject));
  return form;
}
