// Overview: one row per agent with its last run, schedule and the chosen window's figures, then the
// latest health alerts of every agent.
// Rows are keyed by agent and updated in place, so polling keeps focus and expanded errors.
import { get } from '../api.js';
import { runNow, setEnabled } from '../actions.js';
import { alertsPath, alertsSection } from '../alerts.js';
import { sparkline } from '../charts.js';
import { DASH, enc, fmtCount, fmtDuration, fmtPercent, h, reconcile, replace, timeEl, updateTimeEl } from '../dom.js';
import { badge, deltaBadge, setBadge, setBusy, statCard, windowPicker } from '../ui.js';

export const bucketFor = window => (window === '30d' ? '1d' : '1h');

const FIGURES = new Set(['Runs', 'Success', 'p95', 'Proposals', 'Approval']);
const ALERTS_SHOWN = 10;
const COLUMNS = ['Agent', 'Enabled', 'Last run', 'Next run', 'Runs', 'Success', 'p95', 'Proposals', 'Approval', 'Activity', 'Last error', 'Actions'];

export function mountOverview(root, ctx) {
  document.title = 'Agents · AgentLedger';
  const rows = new Map();
  const tbody = h('tbody');
  const caption = h('caption', { class: 'sr-only' });
  const updated = h('p', { class: 'updated muted' });
  const cards = {
    agents: statCard('Agents', 'agents'),
    runs: statCard('Runs', 'runs'),
    success: statCard('Success rate', 'success_rate'),
    failures: statCard('Failures', 'failure_count'),
    proposals: statCard('Proposals', 'proposals_created'),
    approval: statCard('Approval rate', 'approval_rate'),
  };
  const alerts = alertsSection({
    heading: 'Recent alerts',
    caption: 'The latest changes of agents’ health, newest first',
    id: 'recent-alerts',
  });
  let seq = 0;

  root.append(
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', { tabindex: '-1', text: 'Agents' }),
        h('p', { class: 'muted lead', text: 'Every agent AgentLedger knows, with its last run and the selected window’s figures from the ledger.' })),
      h('div', { class: 'page-tools' },
        windowPicker(ctx.window, w => {
          ctx.setWindow(w);
          refresh();
        }),
        updated)),
    h('section', { class: 'stats', 'aria-label': 'Totals over all agents' }, Object.values(cards).map(c => c.card)),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'agents', id: 'agents-table' },
        caption,
        h('thead', {}, h('tr', {}, COLUMNS.map(c => h('th', { scope: 'col', class: FIGURES.has(c) ? 'figure' : null },
          c === 'Actions' ? h('span', { class: 'sr-only', text: c }) : c)))),
        tbody)),
    alerts.el);

  async function refresh() {
    const my = ++seq;
    const window = ctx.window;
    try {
      const [list, stats, recent] = await Promise.all([
        get('/api/agents'),
        get(`/api/agents/stats?window=${window}&compare=previous`),
        get(alertsPath({ limit: ALERTS_SHOWN })),
      ]);
      const histories = await Promise.all(list.agents.map(a =>
        get(`/api/agents/${enc(a.name)}/history?window=${window}&bucket=${bucketFor(window)}`)));
      if (my !== seq) {
        return; // a newer refresh (say, for another window) owns the page
      }
      caption.textContent = `Agents and their figures over the last ${window}`;
      const order = list.agents.map((agent, i) => {
        let row = rows.get(agent.name);
        if (!row) {
          row = createRow(agent.name, refresh);
          rows.set(agent.name, row);
        }
        row.update(agent, stats[agent.name]?.stats, histories[i], window);
        return row.tr;
      });
      reconcile(tbody, order);
      if (!list.agents.length) {
        reconcile(tbody, [h('tr', {}, h('td', { colspan: COLUMNS.length, class: 'empty', text: 'No agents yet. External agents appear on their first reported run.' }))]);
      }
      updateTotals(cards, list.agents, stats, window);
      alerts.render(recent);
      updated.textContent = `Updated ${new Date().toLocaleTimeString('en-GB')}`;
      ctx.ok();
    } catch (error) {
      ctx.failed(error);
    }
  }

  refresh();
  return { refresh };
}

function updateTotals(cards, agents, stats, window) {
  const windows = agents.map(a => stats[a.name]?.stats.window).filter(Boolean);
  const sum = field => windows.reduce((total, w) => total + (w[field] ?? 0), 0);
  const success = sum('success_count');
  const failures = sum('failure_count');
  const decided = sum('proposals_decided');
  const enabled = agents.filter(a => a.enabled).length;
  cards.agents.set(agents.length, fmtCount(agents.length), `${enabled} enabled`);
  cards.runs.set(sum('runs'), fmtCount(sum('runs')), `in the last ${window}`);
  const rate = success + failures ? success / (success + failures) : null;
  cards.success.set(rate, fmtPercent(rate), `${fmtCount(success)} succeeded`);
  cards.failures.set(failures, fmtCount(failures), `${agents.filter(a => isFailure(a.last_status)).length} failing now`);
  cards.failures.card.classList.toggle('stat-bad', failures > 0);
  cards.proposals.set(sum('proposals_created'), fmtCount(sum('proposals_created')), `${fmtCount(sum('proposals_pending'))} pending review`);
  const approval = decided ? sum('proposals_approved') / decided : null;
  cards.approval.set(approval, fmtPercent(approval), `${fmtCount(sum('proposals_approved'))} of ${fmtCount(decided)} decided`);
}

const isFailure = status => status === 'failed' || status === 'timeout' || status === 'abandoned';

/** A cell holding one figure: the raw API value in data-value (for tests and tools), the formatted one as text. */
function figure(label, field) {
  const num = h('span', { class: 'num' });
  const change = h('span', { class: 'cell-change' });
  const note = h('span', { class: 'cell-note' });
  const td = h('td', { class: 'figure', dataset: { label, field } }, num, change, note);
  return {
    td,
    set(raw, text, noteText) {
      td.dataset.value = raw === null || raw === undefined ? '' : String(raw);
      num.textContent = text;
      note.textContent = noteText ?? '';
    },
    /** The API's change against the previous window (?compare=previous); nothing when it has none. */
    setChange(raw, { kind, better, window, previous }) {
      if (raw === null || raw === undefined) {
        change.replaceChildren();
        change.removeAttribute('title');
        return;
      }
      replace(change, h('span', { class: 'sr-only', text: `compared with the previous ${window}: ` }), deltaBadge(raw, { kind, better }));
      change.title = `Previous ${window}: ${previous}`;
    },
  };
}

function createRow(name, refresh) {
  const link = h('a', { href: `#/agents/${enc(name)}`, class: 'agent-link' });
  const sub = h('span', { class: 'agent-sub' });
  const health = h('span', { class: 'health' });
  const toggle = h('input', { type: 'checkbox', role: 'switch', class: 'switch', 'aria-label': `Enabled: ${name}` });
  const status = badge(null);
  const lastRun = h('time');
  const nextRun = h('span');
  const runs = figure('Runs', 'runs');
  const success = figure('Success', 'success_rate');
  const p95 = figure('p95', 'p95');
  const proposals = figure('Proposals', 'proposals_created');
  const approval = figure('Approval', 'approval_rate');
  const spark = h('td', { class: 'spark-cell', dataset: { label: 'Activity' } });
  const errorCell = h('td', { class: 'error-cell', dataset: { label: 'Last error', field: 'last_error' } });
  const errorButton = h('button', { type: 'button', class: 'error-toggle', 'aria-expanded': 'false' });
  const actions = h('td', { class: 'actions-cell', dataset: { label: 'Actions' } });
  const runButton = h('button', { type: 'button', class: 'small', 'aria-label': `Run ${name} now`, dataset: { action: 'run' }, text: 'Run now' });
  const tr = h('tr', { dataset: { agent: name } },
    h('th', { scope: 'row', class: 'agent-cell' }, link, sub, health),
    h('td', { dataset: { label: 'Enabled', field: 'enabled' } }, toggle),
    h('td', { class: 'last-run-cell', dataset: { label: 'Last run', field: 'last_run' } }, status, lastRun),
    h('td', { dataset: { label: 'Next run', field: 'next_run' } }, nextRun),
    runs.td, success.td, p95.td, proposals.td, approval.td, spark, errorCell, actions);

  let agent = null;
  let toggling = false;
  let starting = false;

  errorButton.addEventListener('click', () => {
    const expanded = errorButton.getAttribute('aria-expanded') !== 'true';
    errorButton.setAttribute('aria-expanded', String(expanded));
  });

  toggle.addEventListener('change', async () => {
    const wanted = toggle.checked;
    toggling = true;
    toggle.disabled = true;
    const saved = await setEnabled(name, wanted);
    if (!saved) {
      toggle.checked = !wanted;
    }
    toggling = false;
    toggle.disabled = false;
    await refresh();
  });

  runButton.addEventListener('click', async () => {
    starting = true;
    setBusy(runButton, true, 'Starting…');
    const started = await runNow(agent);
    await refresh();
    starting = false;
    setBusy(runButton, false);
    applyRunState();
    if (started) {
      // In-process runs are often done within a second; show the outcome without waiting for the next poll.
      setTimeout(refresh, 1200);
    }
  });

  function applyRunState() {
    if (starting || !agent) {
      return;
    }
    runButton.disabled = agent.running;
    runButton.textContent = agent.running ? 'Running…' : 'Run now';
  }

  function update(a, stats, history, window) {
    agent = a;
    const w = stats?.window;
    link.textContent = a.display_name || a.name;
    sub.textContent = [a.display_name && a.display_name !== a.name ? a.name : null, a.kind === 'builtin' ? null : a.kind].filter(Boolean).join(' · ');
    tr.classList.toggle('is-disabled', !a.enabled);
    if (!toggling) {
      toggle.checked = a.enabled;
    }
    setBadge(status, a.running ? 'running' : a.last_status);
    // The server's verdict (ok, failing, stale, stuck, disabled) with its one-line reason.
    health.className = `health health-${a.health ?? 'ok'}`;
    health.textContent = a.health && a.health !== 'ok' ? a.health : '';
    health.title = a.health_reason ?? '';
    health.hidden = !a.health || a.health === 'ok';
    updateTimeEl(lastRun, a.last_run);

    if (a.kind !== 'builtin') {
      replace(nextRun, h('span', { class: 'muted', title: 'Runs elsewhere and reports its own runs', text: 'external' }));
    } else if (!a.enabled) {
      replace(nextRun, h('span', { class: 'muted', text: 'disabled' }));
    } else if (a.next_scheduled_run) {
      replace(nextRun, timeEl(a.next_scheduled_run));
    } else {
      replace(nextRun, h('span', { class: 'muted', text: DASH }));
    }

    runs.set(w?.runs, fmtCount(w?.runs), w?.running_count ? `${w.running_count} running` : '');
    success.set(w?.success_rate, fmtPercent(w?.success_rate), w?.failure_count ? `${fmtCount(w.failure_count)} failed` : '');
    success.td.classList.toggle('bad', (w?.failure_count ?? 0) > 0);
    p95.set(w?.duration_ms.p95, fmtDuration(w?.duration_ms.p95));
    // Where one direction is better, the change since the previous window.
    const before = stats?.previous;
    success.setChange(stats?.deltas?.success_rate, { kind: 'rate', better: 1, window, previous: fmtPercent(before?.success_rate) });
    p95.setChange(stats?.deltas?.p95_duration_ms, { kind: 'duration', better: -1, window, previous: fmtDuration(before?.duration_ms.p95) });
    proposals.set(w?.proposals_created, fmtCount(w?.proposals_created), w?.proposals_pending ? `${fmtCount(w.proposals_pending)} pending` : '');
    approval.set(w?.approval_rate, fmtPercent(w?.approval_rate), w?.proposals_decided ? `${fmtCount(w.proposals_approved)}/${fmtCount(w.proposals_decided)}` : '');

    const points = history?.points ?? [];
    const total = points.reduce((n, p) => n + p.runs, 0);
    const failed = points.reduce((n, p) => n + p.failure_count, 0);
    replace(spark, sparkline(points, {
      width: 90,
      label: `${total} runs, ${failed} failed, per ${history?.bucket === '1d' ? 'day' : 'hour'} over the last ${window}`,
    }));

    if (stats?.last_error) {
      errorButton.textContent = stats.last_error;
      errorButton.title = stats.last_error_type ? `${stats.last_error_type} (click to show it all)` : 'Click to show it all';
      if (errorButton.parentNode !== errorCell) {
        replace(errorCell, errorButton); // re-inserting would drop focus and the expanded state
      }
    } else if (stats?.last_error_at) {
      // The newest run succeeded: no current error, but when the last failure was still matters.
      replace(errorCell, h('span', { class: 'muted' }, 'last failed ', timeEl(stats.last_error_at)));
    } else {
      replace(errorCell, h('span', { class: 'muted', text: DASH }));
    }

    if (a.kind === 'builtin') {
      if (runButton.parentNode !== actions) {
        replace(actions, runButton);
      }
      applyRunState();
    } else if (actions.firstChild?.nodeName !== 'SPAN') {
      replace(actions, h('span', { class: 'muted', title: 'External agents run elsewhere and report their runs', text: DASH },
        h('span', { class: 'sr-only', text: 'runs elsewhere' })));
    }
  }

  return { tr, update };
}
