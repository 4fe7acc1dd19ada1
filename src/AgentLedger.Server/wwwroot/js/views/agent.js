// One agent: stats cards, the comparison with the previous window, charts from the history API, the
// error groups, its health alerts, the executions table and the settings form.
import { ApiError, get, send } from '../api.js';
import { runNow, setEnabled, withUser } from '../actions.js';
import { alertsPath, alertsSection } from '../alerts.js';
import { durationChart, runsChart, bucketLabel, shareBar } from '../charts.js';
import {
  DASH, enc, fmtBytes, fmtCount, fmtDateTime, fmtDuration, fmtPercent, fmtSeconds, h, prettyJson, reconcile, replace, timeEl, updateTimeEl,
} from '../dom.js';
import {
  badge, confirmDialog, deltaBadge, emptyState, problemElement, setBadge, setBusy, statCard, toast, toastError, windowPicker,
} from '../ui.js';
import { bucketFor } from './overview.js';

const PAGE_SIZE = 20;
const ALERTS_SHOWN = 20;
const STATUSES = ['running', 'success', 'failed', 'timeout', 'cancelled', 'abandoned'];
// "optional" columns are left out at phone width; the run's details still have them.
const COLUMN_CLASSES = { Trigger: 'optional', Duration: 'figure', Proposals: 'figure optional', Resources: 'figure optional', Error: 'error-cell', Details: 'actions-cell' };
// Error groups: at phone width the share and first seen are left out too.
const GROUP_COLUMNS = [['Error type'], ['Message'], ['Count', 'figure'], ['Share', 'figure optional'], ['First seen', 'optional'], ['Last seen']];
// The figures compared with the previous window: how each is read, printed, and which way is better.
const COMPARED = [
  { field: 'runs', label: 'Runs', value: w => w.runs, format: fmtCount, delta: d => d.runs, kind: 'count', better: 0 },
  { field: 'success_rate', label: 'Success rate', value: w => w.success_rate, format: fmtPercent, delta: d => d.success_rate, kind: 'rate', better: 1 },
  { field: 'p95', label: 'Duration p95', value: w => w.duration_ms.p95, format: fmtDuration, delta: d => d.p95_duration_ms, kind: 'duration', better: -1 },
  { field: 'proposals_created', label: 'Proposals', value: w => w.proposals_created, format: fmtCount, delta: d => d.proposals_created, kind: 'count', better: 0 },
  { field: 'approval_rate', label: 'Approval rate', value: w => w.approval_rate, format: fmtPercent, delta: d => d.approval_rate, kind: 'rate', better: 1 },
];

export function mountAgent(root, ctx, name) {
  const title = h('h1', { tabindex: '-1', text: name });
  const subtitle = h('p', { class: 'muted agent-meta' });
  const description = h('p', { class: 'lead' });
  const status = badge(null);
  const enabledToggle = h('input', { type: 'checkbox', role: 'switch', class: 'switch', id: 'agent-enabled' });
  const runButton = h('button', { type: 'button', class: 'primary', dataset: { action: 'run' }, text: 'Run now' });
  const updated = h('p', { class: 'updated muted' });
  const errorPanel = h('section', { class: 'error-panel', 'aria-label': 'Last error', hidden: true });
  const cards = {
    runs: statCard('Runs', 'runs'),
    success: statCard('Success rate', 'success_rate'),
    failures: statCard('Failures', 'failure_count'),
    p50: statCard('Duration p50', 'p50'),
    p95: statCard('Duration p95', 'p95'),
    proposals: statCard('Proposals', 'proposals_created'),
    approval: statCard('Approval rate', 'approval_rate'),
    lastRun: statCard('Last run', 'last_run'),
    nextRun: statCard('Next run', 'next_run'),
    lastSuccess: statCard('Last success', 'last_success_at'),
    streak: statCard('Consecutive failures', 'consecutive_failures'),
    total: statCard('All-time runs', 'total_runs'),
  };
  const runsFigure = chartFigure('runs-chart', 'Runs and failures', [['fill-success', 'Succeeded'], ['fill-failure', 'Failed'], ['fill-other', 'Cancelled or running']]);
  const durationFigure = chartFigure('duration-chart', 'Duration', [['stroke-p50', 'p50'], ['stroke-p95', 'p95']]);
  const comparison = comparisonTable();
  const errorGroups = errorGroupsTable(name);
  const alerts = alertsSection({
    agent: name,
    heading: 'Alerts',
    caption: `Changes of ${name}’s health, newest first`,
    id: 'agent-alerts',
  });
  const executions = executionsTable(name, ctx);
  const settings = settingsForm(name, () => refresh());

  const body = h('div', { class: 'agent-page' },
    h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/', text: 'Agents' }), h('span', { 'aria-hidden': 'true', text: ' / ' }), h('span', { 'aria-current': 'page', text: name })),
    h('div', { class: 'page-head' },
      h('div', {}, h('div', { class: 'title-row' }, title, status), subtitle, description),
      h('div', { class: 'page-tools' },
        h('div', { class: 'inline-field' }, enabledToggle, h('label', { for: 'agent-enabled', text: 'Enabled' })),
        runButton)),
    h('div', { class: 'section-head' },
      h('h2', { id: 'stats-title', text: 'Stats' }),
      h('div', { class: 'page-tools' }, windowPicker(ctx.window, w => {
        ctx.setWindow(w);
        refresh();
      }), updated)),
    h('section', { class: 'stats', 'aria-labelledby': 'stats-title' }, Object.values(cards).map(c => c.card)),
    comparison.el,
    errorPanel,
    h('section', { class: 'charts', 'aria-label': 'History' }, runsFigure.el, durationFigure.el),
    errorGroups.el,
    alerts.el,
    executions.el,
    settings.el);
  root.append(body);

  let agent = null;
  let history = null;
  let seq = 0;
  let gone = false;
  let toggling = false;
  let starting = false;

  enabledToggle.addEventListener('change', async () => {
    const wanted = enabledToggle.checked;
    toggling = true;
    enabledToggle.disabled = true;
    if (!(await setEnabled(name, wanted))) {
      enabledToggle.checked = !wanted;
    }
    toggling = false;
    enabledToggle.disabled = false;
    await refresh();
    settings.load();
  });

  runButton.addEventListener('click', async () => {
    starting = true;
    setBusy(runButton, true, 'Starting…');
    const started = await runNow(agent ?? { name, enabled: true });
    await refresh();
    starting = false;
    setBusy(runButton, false);
    applyRunState();
    if (started) {
      setTimeout(refresh, 1200);
    }
  });

  function applyRunState() {
    if (!agent || starting) {
      return;
    }
    runButton.hidden = agent.kind !== 'builtin';
    runButton.disabled = agent.running;
    runButton.textContent = agent.running ? 'Running…' : 'Run now';
  }

  let renderQueued = false;
  const onResize = () => {
    if (!renderQueued) {
      renderQueued = true;
      requestAnimationFrame(() => {
        renderQueued = false;
        renderCharts();
      });
    }
  };
  window.addEventListener('resize', onResize);

  function renderCharts() {
    if (!history) {
      return;
    }
    const per = history.bucket === '1d' ? 'day' : 'hour';
    const total = history.points.reduce((n, p) => n + p.runs, 0);
    const failed = history.points.reduce((n, p) => n + p.failure_count, 0);
    runsFigure.render(`Runs per ${per}`, width => runsChart(history.points, {
      width, bucket: history.bucket, label: `Runs per ${per} over the last ${history.window}: ${total} runs, ${failed} failed.`,
    }), history, ['Runs', 'Succeeded', 'Failed'], p => [p.runs, p.success_count, p.failure_count], p => p.runs > 0);
    durationFigure.render(`Duration per ${per} (p50 and p95)`, width => durationChart(history.points, {
      width, bucket: history.bucket, label: `Duration percentiles per ${per} over the last ${history.window}.`,
    }), history, ['p50', 'p95', 'max'], p => [fmtDuration(p.duration_ms.p50), fmtDuration(p.duration_ms.p95), fmtDuration(p.duration_ms.max)], p => p.duration_ms.p50 !== null);
  }

  async function refresh() {
    if (gone) {
      return;
    }
    const my = ++seq;
    const window = ctx.window;
    try {
      const [a, s, hist, errors, changes] = await Promise.all([
        get(`/api/agents/${enc(name)}`),
        get(`/api/agents/${enc(name)}/stats?window=${window}&compare=previous`),
        get(`/api/agents/${enc(name)}/history?window=${window}&bucket=${bucketFor(window)}`),
        get(`/api/agents/${enc(name)}/errors?window=${window}`),
        get(alertsPath({ agent: name, limit: ALERTS_SHOWN })),
      ]);
      if (my !== seq) {
        return;
      }
      agent = a;
      history = hist;
      render(a, s.stats, window);
      comparison.render(s.stats, window);
      renderCharts();
      errorGroups.render(errors);
      alerts.render(changes);
      await executions.refresh();
      updated.textContent = `Updated ${new Date().toLocaleTimeString('en-GB')}`;
      ctx.ok();
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        gone = true; // polling an unknown agent would only repeat the 404
        replace(body, h('h1', { tabindex: '-1', text: 'Agent not found' }), problemElement(error), h('p', {}, h('a', { href: '#/', text: 'Back to all agents' })));
        return;
      }
      ctx.failed(error);
    }
  }

  function render(a, stats, window) {
    document.title = `${a.display_name || a.name} · AgentLedger`;
    title.textContent = a.display_name || a.name;
    subtitle.textContent = [a.name, a.kind, a.kind === 'builtin' && a.interval_seconds ? `every ${fmtSeconds(a.interval_seconds)}` : null, `timeout ${fmtSeconds(a.timeout_seconds)}`]
      .filter(Boolean).join(' · ');
    description.textContent = a.description;
    setBadge(status, a.running ? 'running' : a.last_status);
    if (!toggling) {
      enabledToggle.checked = a.enabled;
    }
    applyRunState();

    const w = stats.window;
    cards.runs.set(w.runs, fmtCount(w.runs), [w.running_count ? `${w.running_count} running` : null, w.cancelled_count ? `${w.cancelled_count} cancelled` : null, `last ${window}`].filter(Boolean).join(' · '));
    cards.success.set(w.success_rate, fmtPercent(w.success_rate), `${fmtCount(w.success_count)} succeeded`);
    cards.failures.set(w.failure_count, fmtCount(w.failure_count), 'failed, timed out or abandoned');
    cards.failures.card.classList.toggle('stat-bad', w.failure_count > 0);
    cards.p50.set(w.duration_ms.p50, fmtDuration(w.duration_ms.p50), `avg ${fmtDuration(w.duration_ms.avg)}`);
    cards.p95.set(w.duration_ms.p95, fmtDuration(w.duration_ms.p95), `p99 ${fmtDuration(w.duration_ms.p99)} · max ${fmtDuration(w.duration_ms.max)}`);
    cards.proposals.set(w.proposals_created, fmtCount(w.proposals_created), `${fmtCount(w.proposals_pending)} pending`);
    cards.approval.set(w.approval_rate, fmtPercent(w.approval_rate), `${fmtCount(w.proposals_approved)} of ${fmtCount(w.proposals_decided)} decided`);
    cards.lastRun.set(stats.last_run, timeEl(stats.last_run), stats.last_status ? [badge(stats.last_status), stats.last_duration_ms !== null ? ` ${fmtDuration(stats.last_duration_ms)}` : ''] : 'never');
    const next = a.kind !== 'builtin' ? null : a.enabled ? a.next_scheduled_run : null;
    cards.nextRun.set(next, next ? timeEl(next) : DASH, a.kind !== 'builtin' ? 'runs elsewhere' : a.enabled ? `every ${fmtSeconds(a.interval_seconds)}` : 'disabled');
    cards.lastSuccess.set(stats.last_success_at, timeEl(stats.last_success_at), '');
    cards.streak.set(stats.consecutive_failures, fmtCount(stats.consecutive_failures), stats.last_error_at ? ['last failure ', timeEl(stats.last_error_at)] : 'no failures');
    cards.streak.card.classList.toggle('stat-bad', stats.consecutive_failures > 0);
    cards.total.set(stats.total_runs, fmtCount(stats.total_runs), `${fmtCount(stats.error_count)} failed · avg ${stats.avg_duration_seconds === null ? DASH : fmtDuration(stats.avg_duration_seconds * 1000)}`);

    if (stats.last_error) {
      errorPanel.hidden = false;
      replace(errorPanel,
        h('h2', { text: 'Last run failed' }),
        h('p', { class: 'muted' }, stats.last_error_type ? h('code', { text: stats.last_error_type }) : null, stats.last_error_type ? ' · ' : '', timeEl(stats.last_error_at)),
        h('pre', { class: 'error-message', dataset: { field: 'last_error' }, text: stats.last_error }));
    } else {
      errorPanel.hidden = true;
      errorPanel.replaceChildren();
    }
  }

  refresh();
  settings.load();
  return {
    refresh,
    unmount() {
      window.removeEventListener('resize', onResize);
      document.title = 'AgentLedger';
    },
  };
}

/** A chart with a heading, a legend and the same numbers as a table for screen readers and keyboards. */
function chartFigure(id, heading, legend) {
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

/** This window against the one before it (?compare=previous): both values and the API's delta for each figure. */
function comparisonTable() {
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

/** The window's failures grouped by fingerprint, newest first as the API orders them; rows are keyed so polling keeps expanded messages. */
function errorGroupsTable(name) {
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

function executionsTable(name, ctx) {
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
  const proposals = h('div', { class: 'exec-proposals' }, h('p', { class: 'muted', text: 'Loading proposals…' }));
  replace(content,
    h('dl', { class: 'kv' }, pairs.map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v)])),
    e.error_message || e.error_type
      ? h('div', { class: 'detail-block' }, h('h4', { text: 'Error' }),
        e.error_type ? h('p', {}, h('code', { text: e.error_type })) : null,
        h('pre', { class: 'error-message', text: e.error_message ?? '' }))
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

/** The settings form: changed fields only, config as a merge patch, and the API's 422 messages next to each field. */
function settingsForm(name, onSaved) {
  const fields = {
    enabled: h('input', { type: 'checkbox', id: 'set-enabled', name: 'enabled' }),
    interval_seconds: h('input', { type: 'number', id: 'set-interval', name: 'interval_seconds', inputmode: 'numeric', step: '1', 'aria-describedby': 'set-interval-help set-interval-error' }),
    timeout_seconds: h('input', { type: 'number', id: 'set-timeout', name: 'timeout_seconds', inputmode: 'numeric', step: '1', 'aria-describedby': 'set-timeout-help set-timeout-error' }),
    config: h('textarea', { id: 'set-config', name: 'config', rows: '8', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'set-config-help set-config-error' }),
  };
  const errors = {
    enabled: h('p', { class: 'field-error', id: 'set-enabled-error' }),
    interval_seconds: h('p', { class: 'field-error', id: 'set-interval-error' }),
    timeout_seconds: h('p', { class: 'field-error', id: 'set-timeout-error' }),
    config: h('p', { class: 'field-error', id: 'set-config-error' }),
  };
  fields.enabled.setAttribute('aria-describedby', 'set-enabled-error');
  const intervalHelp = h('p', { class: 'help', id: 'set-interval-help', text: 'How often the scheduler runs it.' });
  const intervalField = h('div', { class: 'field' }, h('label', { for: 'set-interval', text: 'Interval (seconds)' }), fields.interval_seconds, intervalHelp, errors.interval_seconds);
  const timeoutHelp = h('p', { class: 'help', id: 'set-timeout-help', text: 'A run longer than this is recorded as a timeout.' });
  const enabledLabel = h('label', { for: 'set-enabled', text: 'Enabled (the scheduler runs it)' });
  const formError = h('div', { class: 'form-error', role: 'alert' });
  const version = h('p', { class: 'muted' });
  const save = h('button', { type: 'submit', class: 'primary', text: 'Save settings' });
  const reset = h('button', { type: 'button', class: 'ghost', text: 'Reset to defaults' });
  const form = h('form', { class: 'settings-form', novalidate: true, 'aria-labelledby': 'settings-title' },
    h('div', { class: 'field inline-field' }, fields.enabled, enabledLabel, errors.enabled),
    h('div', { class: 'field-row' },
      intervalField,
      h('div', { class: 'field' }, h('label', { for: 'set-timeout', text: 'Timeout (seconds)' }), fields.timeout_seconds, timeoutHelp, errors.timeout_seconds)),
    h('div', { class: 'field' }, h('label', { for: 'set-config', text: 'Config (JSON object)' }), fields.config,
      h('p', { class: 'help', id: 'set-config-help', text: 'Agent-specific settings. Keys you remove are removed; others are kept as you leave them.' }), errors.config),
    formError,
    h('div', { class: 'form-actions' }, save, reset),
    version);
  const el = h('section', { class: 'settings', 'aria-labelledby': 'settings-title' }, h('h2', { id: 'settings-title', text: 'Settings' }), form);
  let loaded = null;

  function clearErrors() {
    for (const [field, p] of Object.entries(errors)) {
      p.textContent = '';
      fields[field].removeAttribute('aria-invalid');
    }
    formError.replaceChildren();
  }

  function showErrors(fieldErrors) {
    const unplaced = [];
    for (const [key, messages] of Object.entries(fieldErrors)) {
      // config.* errors name a key inside the config: they belong to the config field.
      const field = key in errors ? key : key.startsWith('config.') ? 'config' : null;
      const text = [].concat(messages).join('; ');
      if (field) {
        errors[field].textContent = [errors[field].textContent, field === key ? text : `${key.slice('config.'.length)}: ${text}`].filter(Boolean).join(' ');
        fields[field].setAttribute('aria-invalid', 'true');
      } else {
        unplaced.push(`${key}: ${text}`);
      }
    }
    return unplaced;
  }

  function fill(view) {
    loaded = view;
    fields.enabled.checked = view.enabled;
    fields.interval_seconds.value = view.interval_seconds ?? '';
    // External agents run elsewhere and report their runs: there is no schedule to show.
    const external = view.interval_seconds === null;
    fields.interval_seconds.disabled = external;
    intervalField.hidden = external;
    intervalHelp.textContent = 'How often the scheduler runs it.';
    enabledLabel.textContent = external ? 'Enabled (its new reports are accepted)' : 'Enabled (the scheduler runs it)';
    timeoutHelp.textContent = external
      ? 'A reported run longer than this is kept and flagged over its timeout; an open run without heartbeats is closed as abandoned at twice this.'
      : 'A run longer than this is recorded as a timeout.';
    fields.timeout_seconds.value = view.timeout_seconds;
    fields.config.value = prettyJson(view.config ?? {});
    replace(version, view.is_default
      ? 'Defaults (never changed).'
      : ['Version ', String(view.version), ', changed ', timeEl(view.updated_at), view.updated_by ? ` by ${view.updated_by}` : '', '.']);
  }

  async function load() {
    try {
      fill(await get(`/api/agents/${enc(name)}/settings`));
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) {
        replace(formError, problemElement(error));
      }
    }
  }

  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearErrors();
    if (!loaded) {
      return;
    }
    const patch = {};
    if (fields.enabled.checked !== loaded.enabled) {
      patch.enabled = fields.enabled.checked;
    }
    for (const key of ['interval_seconds', 'timeout_seconds']) {
      const text = fields[key].value.trim();
      if (fields[key].disabled || text === String(loaded[key] ?? '')) {
        continue;
      }
      const number = Number(text);
      // Sent as typed (a string when it is not a number) so the API's own message explains the rule.
      patch[key] = text !== '' && Number.isFinite(number) ? number : text;
    }
    let config;
    try {
      config = JSON.parse(fields.config.value || '{}');
    } catch (parseError) {
      errors.config.textContent = `Not valid JSON: ${parseError.message}`;
      fields.config.setAttribute('aria-invalid', 'true');
      fields.config.focus();
      return;
    }
    const configPatch = mergePatch(loaded.config ?? {}, config);
    if (configPatch !== undefined) {
      patch.config = configPatch;
    }
    if (!Object.keys(patch).length) {
      toast('Nothing changed.');
      return;
    }
    setBusy(save, true, 'Saving…');
    try {
      fill(await send('PUT', `/api/agents/${enc(name)}/settings`, () => withUser(patch, 'updated_by')));
      toast(`Settings of ${name} saved.`, { kind: 'success' });
      onSaved();
    } catch (error) {
      if (error.cancelled) {
        toast('Not saved: the API key is needed.');
      } else {
        const unplaced = showErrors(error.problem?.errors ?? {});
        replace(formError, h('strong', { text: error.problem?.title ?? error.message }), unplaced.length ? h('ul', {}, unplaced.map(u => h('li', { text: u }))) : null,
          !error.problem?.errors && error.problem?.detail ? h('p', { text: error.problem.detail }) : null);
        (form.querySelector('[aria-invalid="true"]') ?? save).focus();
      }
    } finally {
      setBusy(save, false);
    }
  });

  reset.addEventListener('click', async () => {
    if (!(await confirmDialog('Reset settings?', `Reset ${name} to its default settings? The current version stays in the history.`, 'Reset'))) {
      return;
    }
    clearErrors();
    try {
      fill(await send('DELETE', `/api/agents/${enc(name)}/settings`));
      toast(`Settings of ${name} reset to defaults.`, { kind: 'success' });
      onSaved();
    } catch (error) {
      toastError('Could not reset the settings', error);
    }
  });

  return { el, load };
}

/**
 * The JSON merge patch (one level, as the API applies it) that turns `before` into `after`:
 * changed keys with their new value, removed keys as null. Undefined when nothing changed; a
 * non-object is sent as is so the API refuses it with its own message.
 */
export function mergePatch(before, after) {
  if (after === null || typeof after !== 'object' || Array.isArray(after)) {
    return after;
  }
  const patch = {};
  for (const key of Object.keys(before)) {
    if (!(key in after)) {
      patch[key] = null;
    }
  }
  for (const [key, value] of Object.entries(after)) {
    if (JSON.stringify(value) !== JSON.stringify(before[key])) {
      patch[key] = value;
    }
  }
  return Object.keys(patch).length ? patch : undefined;
}
