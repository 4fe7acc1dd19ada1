// Shared widgets: notifications, the API key and confirmation dialogs, problem details, badges.
import { DASH, fmtCount, fmtDuration, h, replace } from './dom.js';

const STATUS_LABELS = {
  running: 'Running',
  success: 'Success',
  failed: 'Failed',
  timeout: 'Timeout',
  cancelled: 'Cancelled',
  abandoned: 'Abandoned',
  pending: 'Pending',
  approved: 'Approved',
  rejected: 'Rejected',
  expired: 'Expired',
};

const KNOWN_STATUSES = new Set(Object.keys(STATUS_LABELS));

/** A coloured badge; unknown statuses (a newer server) still show their wire name. */
export function badge(status, { never = 'Never run' } = {}) {
  const el = h('span', { class: 'badge' });
  setBadge(el, status, never);
  return el;
}

export function setBadge(el, status, never = 'Never run') {
  el.className = `badge badge-${status && KNOWN_STATUSES.has(status) ? status : 'none'}`;
  el.dataset.status = status ?? '';
  el.textContent = status ? STATUS_LABELS[status] ?? status : never;
}

/** Short-lived notice; errors stay until dismissed and are announced assertively. */
export function toast(message, { kind = 'info', detail } = {}) {
  const region = document.getElementById('toasts');
  const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss notification', text: '×' });
  const item = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('div', { class: 'toast-body' }, h('strong', { text: message }), detail ? h('div', { text: detail }) : null),
    close);
  close.addEventListener('click', () => item.remove());
  region.append(item);
  while (region.children.length > 4) {
    region.firstElementChild.remove();
  }
  if (kind !== 'error') {
    setTimeout(() => item.remove(), 6000);
  }
  return item;
}

/** The API's problem details (title, detail, per-field errors) as readable lines. */
export function problemLines(error) {
  const problem = error?.problem ?? {};
  const lines = [];
  const title = problem.title ?? error?.message ?? 'Something went wrong.';
  lines.push(title);
  if (problem.detail && problem.detail !== title) {
    lines.push(problem.detail);
  }
  return lines;
}

export function problemElement(error) {
  const [title, ...rest] = problemLines(error);
  const errors = error?.problem?.errors;
  return h('div', { class: 'problem' },
    h('strong', { text: title }),
    rest.map(line => h('p', { text: line })),
    errors && Object.keys(errors).length && !rest.length
      ? h('ul', {}, Object.entries(errors).map(([field, messages]) => h('li', {}, h('code', { text: field }), `: ${[].concat(messages).join('; ')}`)))
      : null);
}

export function toastError(prefix, error) {
  if (error?.cancelled) {
    toast(`${prefix}: cancelled (no API key).`);
    return;
  }
  const [title, ...rest] = problemLines(error);
  toast(`${prefix}: ${title}`, { kind: 'error', detail: rest.join(' ') || undefined });
}

function showDialog(dialog) {
  for (const button of dialog.querySelectorAll('[data-close]')) {
    button.onclick = () => dialog.close(button.dataset.close);
  }
  return new Promise(resolve => {
    dialog.returnValue = '';
    dialog.addEventListener('close', () => resolve(dialog.returnValue), { once: true });
    dialog.showModal();
  });
}

/** Asks for the API key (and an optional name); resolves to {key, name} or null when cancelled. */
export async function askForKey(reason) {
  const dialog = document.getElementById('key-dialog');
  const input = document.getElementById('key-input');
  const name = document.getElementById('key-name');
  document.getElementById('key-reason').textContent =
    reason ?? 'This action changes state and needs the API key. Read-only pages work without it.';
  input.value = '';
  name.value = sessionStorage.getItem('agentledger.name') ?? '';
  const result = await showDialog(dialog);
  const key = input.value.trim();
  input.value = '';
  return result === 'ok' && key ? { key, name: name.value.trim() } : null;
}

export async function confirmDialog(title, text, okLabel = 'Confirm') {
  const dialog = document.getElementById('confirm-dialog');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = okLabel;
  return (await showDialog(dialog)) === 'ok';
}

export const WINDOWS = ['24h', '7d', '30d'];

/** The 24h / 7d / 30d switch: a radio group, so arrow keys move between the choices. */
export function windowPicker(current, onChange) {
  const id = `w${Math.random().toString(36).slice(2, 8)}`;
  const fieldset = h('fieldset', { class: 'segmented', dataset: { role: 'window' } },
    h('legend', { class: 'sr-only', text: 'Time window' }));
  for (const w of WINDOWS) {
    const input = h('input', { type: 'radio', name: id, id: `${id}-${w}`, value: w, checked: w === current });
    input.addEventListener('change', () => input.checked && onChange(w));
    fieldset.append(input, h('label', { for: `${id}-${w}`, text: w }));
  }
  return fieldset;
}

/** A labelled figure: the raw API value in data-value, the formatted one as text. */
export function statCard(label, field) {
  const value = h('span', { class: 'stat-value' });
  const note = h('span', { class: 'stat-note' });
  const card = h('div', { class: 'stat', dataset: { field } }, h('span', { class: 'stat-label', text: label }), value, note);
  return {
    card,
    set(raw, text, noteContent) {
      card.dataset.value = raw === null || raw === undefined ? '' : String(raw);
      replace(value, text);
      replace(note, noteContent ?? '');
    },
  };
}

export function setBusy(button, busy, busyText) {
  if (busy) {
    button.dataset.label ??= button.textContent;
    button.textContent = busyText;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  } else {
    if (button.dataset.label !== undefined) {
      button.textContent = button.dataset.label;
      delete button.dataset.label;
    }
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

export function emptyState(text) {
  return h('p', { class: 'empty', text });
}

// How a change is printed, by kind of figure: [the value as shown (its sign decides the arrow), its size as text].
const CHANGES = {
  count: v => [v, fmtCount(Math.abs(v))],
  // Rates change in percentage points, one decimal at most like fmtPercent.
  rate: v => {
    const points = Number((v * 100).toFixed(1));
    return [points, `${Math.abs(points)} pp`];
  },
  duration: v => [Math.round(v), fmtDuration(Math.abs(v))],
};

/**
 * A change against the previous window as the API computed it: an arrow and the signed change,
 * coloured when one direction is better (`better` 1: up is good, -1: down is good, 0: neither), with
 * the verdict in words too, so colour is not the only sign. The raw value is in data-value.
 */
export function deltaBadge(raw, { kind, better = 0 }) {
  if (raw === null || raw === undefined) {
    return h('span', { class: 'delta delta-none', dataset: { value: '', direction: 'none' }, text: DASH });
  }
  const [shown, size] = CHANGES[kind](raw);
  const direction = shown > 0 ? 'up' : shown < 0 ? 'down' : 'flat';
  const verdict = direction === 'flat' || better === 0 ? 'neutral' : (direction === 'up') === (better > 0) ? 'good' : 'bad';
  return h('span', { class: `delta delta-${verdict}`, dataset: { value: String(raw), direction, verdict } },
    direction === 'flat' ? null : h('span', { class: 'delta-arrow', 'aria-hidden': 'true', text: direction === 'up' ? '▲' : '▼' }),
    h('span', { class: 'delta-text', text: `${direction === 'up' ? '+' : direction === 'down' ? '−' : ''}${size}` }),
    verdict === 'neutral' ? null : h('span', { class: 'sr-only', text: verdict === 'good' ? ' (better)' : ' (worse)' }));
}
