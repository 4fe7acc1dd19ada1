// DOM building and formatting. Every string that comes from the API reaches the page through
// text nodes or attribute values, never through innerHTML: agent names, errors and proposal
// titles are written by other systems and may contain markup.

const PROPERTIES = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'open', 'indeterminate']);

/** Creates an element; `props` are attributes, except on* (listeners), text, class, dataset and live properties. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  setProps(el, props);
  append(el, children);
  return el;
}

export function setProps(el, props) {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null) {
      continue;
    }
    if (key === 'class') {
      el.setAttribute('class', value);
    } else if (key === 'text') {
      el.textContent = String(value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (PROPERTIES.has(key)) {
      el[key] = value;
    } else if (value === false) {
      el.removeAttribute(key);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  return el;
}

/** Appends strings (as text), numbers, nodes and nested arrays; null and false are skipped. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export const enc = encodeURIComponent;

export const DASH = '—';

export function fmtCount(n) {
  return n === null || n === undefined ? DASH : Number(n).toLocaleString('en-US');
}

/**
 * A reported amount (a metric's sum, a cost or token count per proposal): whole from 1,000 up
 * ("48,213"), else four significant digits ("12.35", "0.004213"), so cents and fractions of a cent stay readable.
 */
export function fmtAmount(n) {
  if (n === null || n === undefined) {
    return DASH;
  }
  return Math.abs(n) >= 1000
    ? Number(n).toLocaleString('en-US', { maximumFractionDigits: 0 })
    : Number(n).toLocaleString('en-US', { maximumSignificantDigits: 4 });
}

/** 0.6667 → "66.7%": one decimal at most, so 100% and 0% stay short. */
export function fmtPercent(rate) {
  if (rate === null || rate === undefined) {
    return DASH;
  }
  return `${Number((rate * 100).toFixed(1))}%`;
}

export function fmtDuration(ms) {
  if (ms === null || ms === undefined) {
    return DASH;
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  const s = ms / 1000;
  if (s < 10) {
    return `${s.toFixed(2)} s`;
  }
  if (s < 60) {
    return `${s.toFixed(1)} s`;
  }
  if (s < 3600) {
    const m = Math.floor(s / 60);
    return `${m} min ${Math.round(s - m * 60)} s`;
  }
  const hours = Math.floor(s / 3600);
  return `${hours} h ${Math.round((s - hours * 3600) / 60)} min`;
}

/** Whole-second settings: "10 s", "15 min", "1 h 30 min", "2 d". */
export function fmtSeconds(seconds) {
  if (seconds === null || seconds === undefined) {
    return DASH;
  }
  const units = [['d', 86400], ['h', 3600], ['min', 60], ['s', 1]];
  const parts = [];
  let rest = seconds;
  for (const [unit, size] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    } else if (parts.length) {
      break;
    }
  }
  return parts.join(' ') || '0 s';
}

export function fmtBytes(n) {
  if (n === null || n === undefined) {
    return DASH;
  }
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** "just now", "42 s ago", "3 min ago", "in 12 s", "5 d ago". */
export function fmtRelative(iso, now = Date.now()) {
  if (!iso) {
    return DASH;
  }
  const diff = (Date.parse(iso) - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 1.5) {
    return diff >= 0 ? 'now' : 'just now';
  }
  let text;
  if (abs < 60) {
    text = `${Math.round(abs)} s`;
  } else if (abs < 3600) {
    text = `${Math.floor(abs / 60)} min`;
  } else if (abs < 86400) {
    text = `${Math.floor(abs / 3600)} h`;
  } else {
    text = `${Math.floor(abs / 86400)} d`;
  }
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

const dateTime = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

export function fmtDateTime(iso) {
  return iso ? dateTime.format(new Date(iso)) : DASH;
}

/** A <time> whose relative text the clock in app.js keeps current; the exact ISO time is its title. */
export function timeEl(iso, { absolute = false } = {}) {
  if (!iso) {
    return h('span', { class: 'muted', text: DASH });
  }
  return h('time', {
    datetime: iso,
    title: iso,
    dataset: absolute ? {} : { relative: '' },
    text: absolute ? fmtDateTime(iso) : fmtRelative(iso),
  });
}

export function updateTimeEl(el, iso) {
  if (!iso) {
    el.removeAttribute('datetime');
    el.removeAttribute('title');
    delete el.dataset.relative;
    el.textContent = DASH;
    return;
  }
  el.setAttribute('datetime', iso);
  el.title = iso;
  el.dataset.relative = '';
  el.textContent = fmtRelative(iso);
}

export function refreshRelativeTimes(root = document) {
  const now = Date.now();
  for (const el of root.querySelectorAll('time[data-relative]')) {
    el.textContent = fmtRelative(el.getAttribute('datetime'), now);
  }
}

export function prettyJson(value) {
  return JSON.stringify(value, null, 2);
}

/** Inserts `nodes` into `parent` in order, moving only what is out of place so focus survives updates. */
export function reconcile(parent, nodes) {
  const wanted = new Set(nodes);
  for (const child of [...parent.children]) {
    if (!wanted.has(child)) {
      child.remove();
    }
  }
  let cursor = parent.firstElementChild;
  for (const node of nodes) {
    if (node === cursor) {
      cursor = cursor.nextElementSibling;
    } else {
      parent.insertBefore(node, cursor);
    }
  }
}
