// What the window's runs reported and what people did with their proposals: the sums of every
// metric the agent reports (tokens, cost, …) and the outcomes block of GET …/stats.
import { fmtAmount, fmtCount, fmtDuration, fmtPercent, h, replace } from '../../dom.js';
import { emptyState, statCard } from '../../ui.js';

export function outcomesPanel() {
  const cards = {
    recorded: statCard('Proposals recorded', 'outcomes.proposals_created'),
    decided: statCard('Decided', 'outcomes.proposals_decided'),
    latencyP50: statCard('Review latency p50', 'outcomes.review_latency_seconds_p50'),
    latencyP95: statCard('Review latency p95', 'outcomes.review_latency_seconds_p95'),
    expired: statCard('Expired unreviewed', 'outcomes.expired_unreviewed_share'),
    cost: statCard('Cost per approved proposal', 'outcomes.cost_per_approved_proposal'),
    tokens: statCard('Tokens per approved proposal', 'outcomes.tokens_per_approved_proposal'),
  };
  const summary = h('p', { class: 'updated muted' });
  const caption = h('caption', { class: 'sr-only' });
  const tbody = h('tbody');
  const table = h('div', { class: 'table-wrap' },
    h('table', { class: 'compact metric-sums' },
      caption,
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Metric' }), h('th', { scope: 'col', class: 'figure', text: 'Sum' }))),
      tbody));
  const sums = h('div', { class: 'metric-sums-body' });
  const el = h('section', { class: 'outcomes', 'aria-labelledby': 'outcomes-title' },
    h('div', { class: 'section-head' }, h('h2', { id: 'outcomes-title', text: 'Outcomes' }), summary),
    h('div', { class: 'stats' }, Object.values(cards).map(c => c.card)),
    h('h3', { id: 'metric-sums-title', text: 'Reported metrics' }),
    sums);

  return {
    el,
    render(stats, window) {
      const o = stats.outcomes;
      const w = stats.window;
      // An older server without the block: say nothing rather than show made-up zeros.
      el.hidden = !o;
      if (!o) {
        return;
      }
      summary.textContent = `Proposals created in the last ${window}`;
      cards.recorded.set(o.proposals_created, fmtCount(o.proposals_created), `${fmtCount(w.proposals_pending)} pending`);
      cards.decided.set(o.proposals_decided, fmtCount(o.proposals_decided), `${fmtCount(w.proposals_approved)} approved · ${fmtCount(w.proposals_rejected)} rejected`);
      cards.latencyP50.set(o.review_latency_seconds_p50, seconds(o.review_latency_seconds_p50), 'created → decided');
      cards.latencyP95.set(o.review_latency_seconds_p95, seconds(o.review_latency_seconds_p95), 'created → decided');
      cards.expired.set(o.expired_unreviewed_share, fmtPercent(o.expired_unreviewed_share), `${fmtCount(w.proposals_expired)} expired`);
      cards.cost.set(o.cost_per_approved_proposal, fmtAmount(o.cost_per_approved_proposal), perApproved('cost', w));
      cards.tokens.set(o.tokens_per_approved_proposal, fmtAmount(o.tokens_per_approved_proposal), perApproved('tokens', w));

      const metrics = Object.entries(w.metrics ?? {}).sort(([a], [b]) => a.localeCompare(b));
      if (!metrics.length) {
        replace(sums, emptyState('No metrics reported in this window.'));
        return;
      }
      caption.textContent = `Sums of the metrics reported by runs in the last ${window}`;
      replace(tbody, metrics.map(([name, sum]) => h('tr', { dataset: { metric: name } },
        h('th', { scope: 'row' }, h('code', { text: name })),
        h('td', { class: 'figure', dataset: { value: String(sum) }, text: fmtAmount(sum) }))));
      if (table.parentNode !== sums) {
        replace(sums, table);
      }
    },
  };
}

function seconds(value) {
  return value === null || value === undefined ? fmtDuration(null) : fmtDuration(value * 1000);
}

/** Why a per-approved figure is empty, or what it divides. */
function perApproved(metric, w) {
  if (!(metric in (w.metrics ?? {}))) {
    return `no run reported ${metric}`;
  }
  return w.proposals_approved ? `${fmtAmount(w.metrics[metric])} over ${fmtCount(w.proposals_approved)} approved` : 'none approved';
}
