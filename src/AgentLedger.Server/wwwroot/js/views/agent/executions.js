// The agent's executions: filter, pages, details.
import { get } from '../../api.js';
import {
  DASH, enc, fmtAmount, fmtBytes, fmtCount, fmtDateTime, fmtDuration, fmtSeconds, h, prettyJson, reconcile, replace, timeEl,
} from '../../dom.js';
import { badge, problemElement } from '../../ui.js';

const PAGE_SIZE = 20;
const STATUSES = ['running', 'success', 'failed', 'timeout', 'cancelled', 'abandoned'];
// "optional" columns are left out at phone width; the run's details still have them.
const COLUMN_CLASSES = { Trigger: 'optional', Duration: 'figure', Proposals: 'figure optional', Resources: 'figure optional', Error: 'error-cell', Details: 'actions-cell' };

export function executionsTable(name, ctx) {
  const filter = h('select', { id: 'status-filter' },
    h('option', { value: '', text: 'All statuses' }),
    STATUSES.map(s => h('option', { value: s, text: s })));
  filter.value = STATUSES.includes(ctx.params.get('status')) ? ctx.params.get('status') : '';
  const tbody = h('tbody');
  const newer = h('button', { type: 'button', class: 'ghost small', text: '← Newer' });
  const older = h('button', { type: 'button', class: 'ghost small', text: 'Older →' });
  const pageLabel = h('span', { class: 'muted', 'aria-live': 'polite' });
  const rows = new Map();
  // cursors[i] opens page i; page 0 (the newest) follows new runs as they happen.
  let cursors = [null];
  let page = 0;
  let nextCursor = null;

  const el = h('section', { class: 'executions', 'aria-labelledby': 'executions-title' },
    h('div', { class: 'section-head' },
      h('h2', { id: 'executions-title', text: 'Executions' }),
      h('div', { class: 'inline-field' }, h('label', { for: 'status-filter', text: 'Status' }), filter)),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'executions-table' },
        h('caption', { class: 'sr-only', text: `Executions of ${name}, newest first` }),
        h('thead', {}, h('tr', {}, ['Started', 'Status', 'Trigger', 'Duration', 'Proposals', 'Resources', 'Error', 'Details'].map(c =>
          h('th', { scope: 'col', class: COLUMN_CLASSES[c] ?? null, text: c })))),
        tbody)),
    h('div', { class: 'pager' }, newer, pageLabel, older));

  filter.addEventListener('change', () => {
    ctx.setParam('status', filter.value);
    cursors = [null];
    page = 0;
    load();
  });
  newer.addEventListener('click', () => {
    page = Math.max(0, page - 1);
    load();
  });
  older.addEventListener('click', () => {
    if (nextCursor) {
      cursors[page + 1] = nextCursor;
      page++;
      load();
    }
  });

  let seq = 0;
  async function load() {
    const my = ++seq;
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (filter.value) {
      query.set('status', filter.value);
    }
    if (cursors[page]) {
      query.set('cursor', cursors[page]);
    }
    try {
      const result = await get(`/api/agents/${enc(name)}/executions?${query}`);
      if (my !== seq) {
        return;
      }
      nextCursor = result.next_cursor;
      const nodes = [];
      const seen = new Set();
      for (const execution of result.items) {
        let row = rows.get(execution.id);
        if (!row) {
          row = executionRow(execution);
          rows.set(execution.id, row);
        }
        row.update(execution);
        seen.add(execution.id);
        nodes.push(row.tr, row.details);
      }
      for (const id of [...rows.keys()]) {
        if (!seen.has(id)) {
          rows.delete(id);
        }
      }
      if (!nodes.length) {
        nodes.push(h('tr', {}, h('td', { colspan: 8, class: 'empty', text: filter.value ? `No ${filter.value} executions.` : 'No executions yet.' })));
      }
      reconcile(tbody, nodes);
      newer.disabled = page === 0;
      older.disabled = !nextCursor;
      pageLabel.textContent = `Page ${page + 1}`;
    } catch (error) {
      ctx.failed(error);
    }
  }

  return {
    el,
    // Polling follows only the newest page: older pages do not change under the reader.
    refresh: () => (page === 0 ? load() : Promise.resolve()),
  };
}

function executionRow(initial) {
  const id = initial.id;
  const detailsId = `exec-${id}`;
  const toggle = h('button', { type: 'button', class: 'ghost small', 'aria-expanded': 'false', 'aria-controls': detailsId, 'aria-label': `Details of the run started ${initial.started_at}`, text: 'Details' });
  const started = h('td', { dataset: { label: 'Started' } });
  const status = h('td', { dataset: { label: 'Status' } });
  const trigger = h('td', { class: 'optional', dataset: { label: 'Trigger' } });
  const duration = h('td', { class: 'figure', dataset: { label: 'Duration' } });
  const proposals = h('td', { class: 'figure optional', dataset: { label: 'Proposals' } });
  const resources = h('td', { class: 'figure optional', dataset: { label: 'Resources' } });
  const error = h('td', { class: 'error-cell', dataset: { label: 'Error', field: 'error' } });
  const tr = h('tr', { class: 'exec-row', dataset: { execution: id } }, started, status, trigger, duration, proposals, resources, error, h('td', { class: 'actions-cell' }, toggle));
  const content = h('div', { class: 'exec-details' });
  const details = h('tr', { class: 'details-row', id: detailsId, hidden: true }, h('td', { colspan: 8 }, content));
  let execution = initial;
  let open = false;

  const setOpen = value => {
    open = value;
    toggle.setAttribute('aria-expanded', String(open));
    details.hidden = !open;
    if (open) {
      renderDetails(content, execution);
    }
  };
  toggle.addEventListener('click', () => setOpen(!open));
  // The whole row is a click target for mouse users; the button is the keyboard's way in.
  tr.addEventListener('click', event => {
    if (!event.target.closest('button, a') && !getSelection()?.toString()) {
      setOpen(!open);
    }
  });

  function update(next) {
    const changed = JSON.stringify(next) !== JSON.stringify(execution);
    execution = next;
    replace(started, timeEl(next.started_at));
    replace(status, badge(next.status));
    trigger.textContent = next.trigger;
    duration.textContent = next.status === 'running' ? runningText(next) : fmtDuration(next.duration_ms);
    proposals.textContent = fmtCount(next.proposals_created);
    resources.textContent = fmtCount(next.resources_processed);
    if (next.error_message || next.error_type) {
      replace(error, h('span', { class: 'error-text', title: next.error_message ?? '' },
        next.error_type ? h('code', { text: next.error_type }) : null, next.error_type && next.error_message ? ' ' : '', next.error_message ?? ''));
    } else {
      replace(error, h('span', { class: 'muted', text: DASH }));
    }
    if (open && changed) {
      renderDetails(content, next);
    }
  }

  return { tr, details, update };
}

/**
 * What an AI agent's run used, from its metrics and metadata as OTLP ingestion (or a reporter using the same
 * names) records them: the model, tokens, cost, model and tool calls, and the OpenTelemetry trace it came from.
 * Only what the run has is listed; a run without any of it has no such block.
 */
function modelAndTrace(e) {
  const m = e.metrics ?? {};
  const md = e.metadata !== null && typeof e.metadata === 'object' && !Array.isArray(e.metadata) ? e.metadata : {};
  const text = v => (typeof v === 'string' && v ? v : null);
  const figure = v => (typeof v === 'number' ? fmtCount(v) : null);
  const code = v => (v ? h('code', { text: v }) : null);
  return [
    ['model', 'Model', text(md.model)],
    ['provider', 'Provider', text(md.provider)],
    ['input_tokens', 'Input tokens', figure(m.input_tokens)],
    ['output_tokens', 'Output tokens', figure(m.output_tokens)],
    ['cache_read_input_tokens', 'Cached input tokens', figure(m.cache_read_input_tokens)],
    ['cost', 'Cost', typeof m.cost === 'number' ? fmtAmount(m.cost) : null],
    ['model_calls', 'Model calls', figure(m.model_calls)],
    ['tool_calls', 'Tool calls', figure(m.tool_calls)],
    ['conversation_id', 'Conversation', code(text(md.conversation_id))],
    ['trace_id', 'Trace id', code(e.trace_id)],
    ['span_id', 'Span id', code(e.span_id)],
    ['parent_execution_id', 'Parent run', code(e.parent_execution_id)],
  ].filter(([, , v]) => v !== null);
}

/** An open run; an external one holding a lease also says how long ago it last beat (its lease lapses at twice its heartbeat). */
function runningText(e) {
  if (!e.heartbeat_seconds || !e.last_heartbeat_at) {
    return 'running';
  }
  const ago = Math.max(0, Math.round((Date.now() - Date.parse(e.last_heartbeat_at)) / 1000));
  return `running · last heartbeat ${fmtSeconds(ago)} ago`;
}

async function renderDetails(content, e) {
  const pairs = [
    ['Execution id', h('code', { text: e.id })],
    ['Status', badge(e.status)],
    ['Trigger', e.trigger],
    ['Node', e.node ?? 'external'],
    ['Scheduled for', e.scheduled_for ? fmtDateTime(e.scheduled_for) : DASH],
    ['Started', h('time', { datetime: e.started_at, title: e.started_at, text: fmtDateTime(e.started_at) })],
    ['Completed', e.completed_at ? h('time', { datetime: e.completed_at, title: e.completed_at, text: fmtDateTime(e.completed_at) }) : DASH],
    ['Duration', e.over_timeout ? [fmtDuration(e.duration_ms), ' ', h('span', { class: 'muted', dataset: { field: 'over_timeout' }, text: '(over its timeout)' })] : fmtDuration(e.duration_ms)],
    ...(e.heartbeat_seconds ? [['Heartbeat', `every ${fmtSeconds(e.heartbeat_seconds)}${e.status === 'running' ? ` · ${runningText(e).replace('running · ', '')}` : ''}`]] : []),
    ['CPU', e.cpu_ms === null ? DASH : fmtDuration(e.cpu_ms)],
    ['Allocated', fmtBytes(e.allocated_bytes)],
    ['Resources processed', fmtCount(e.resources_processed)],
    ['Proposals created', fmtCount(e.proposals_created)],
  ];
  const metrics = Object.entries(e.metrics ?? {});
  const model = modelAndTrace(e);
  const proposals = h('div', { class: 'exec-proposals' }, h('p', { class: 'muted', text: 'Loading proposals…' }));
  replace(content,
    h('dl', { class: 'kv' }, pairs.map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v)])),
    e.error_message || e.error_type
      ? h('div', { class: 'detail-block' }, h('h4', { text: 'Error' }),
        e.error_type ? h('p', {}, h('code', { text: e.error_type })) : null,
        h('pre', { class: 'error-message', text: e.error_message ?? '' }))
      : null,
    model.length
      ? h('div', { class: 'detail-block model-block' }, h('h4', { text: 'Model and trace' }),
        h('dl', { class: 'kv' }, model.map(([field, k, v]) => [h('dt', { text: k }), h('dd', { dataset: { field } }, v)])))
      : null,
    h('div', { class: 'detail-grid' },
      h('div', { class: 'detail-block' }, h('h4', { text: 'Metrics' }),
        metrics.length
          ? h('table', { class: 'compact' }, h('tbody', {}, metrics.map(([k, v]) => h('tr', {}, h('th', { scope: 'row', text: k }), h('td', { class: 'figure', text: fmtCount(v) })))))
          : h('p', { class: 'muted', text: 'None reported.' })),
      h('div', { class: 'detail-block' }, h('h4', { text: 'Metadata' }),
        e.metadata ? h('pre', { class: 'json', text: prettyJson(e.metadata) }) : h('p', { class: 'muted', text: 'None.' }))),
    h('div', { class: 'detail-block' }, h('h4', { text: 'Proposals of this run' }), proposals));
  try {
    const result = await get(`/api/proposals?execution_id=${enc(e.id)}&limit=100`);
    replace(proposals, result.items.length
      ? h('ul', { class: 'plain-list' }, result.items.map(p => h('li', {},
        badge(p.status), ' ', h('span', { class: 'proposal-title', text: p.title }), ' ', h('span', { class: 'muted', text: `(${p.type})` }))))
      : h('p', { class: 'muted', text: 'This run created no proposals.' }),
    result.items.length ? h('p', {}, h('a', { href: `#/proposals?agent=${enc(e.agent_name)}`, text: `Review ${e.agent_name}’s proposals` })) : null);
  } catch (error) {
    replace(proposals, problemElement(error));
  }
}
