// One agent: stats cards, the comparison with the previous window, the outcomes and metric sums,
// charts from the history API, the error groups, its health alerts, the executions table and the
// settings form. Each panel is its own module under ./agent/; this page fetches and hands out.
import { ApiError, get } from '../api.js';
import { runNow, setEnabled } from '../actions.js';
import { alertsPath, alertsSection } from '../alerts.js';
import { durationChart, runsChart } from '../charts.js';
import { DASH, enc, fmtCount, fmtDuration, fmtPercent, fmtSeconds, h, replace, timeEl } from '../dom.js';
import { badge, problemElement, setBadge, setBusy, statCard, windowPicker } from '../ui.js';
import { bucketFor } from './overview.js';
import { chartFigure } from './agent/charts-panel.js';
import { comparisonTable } from './agent/comparison.js';
import { errorGroupsTable } from './agent/error-groups.js';
import { executionsTable } from './agent/executions.js';
import { outcomesPanel } from './agent/outcomes.js';
import { settingsForm } from './agent/settings-form.js';

const ALERTS_SHOWN = 20;

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
  const outcomes = outcomesPanel();
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
    outcomes.el,
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
      outcomes.render(s.stats, window);
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

