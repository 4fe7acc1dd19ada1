// The dashboard shell: hash routes, the shared time window, the API key button, polling.
import { credentials } from './api.js';
import { refreshRelativeTimes } from './dom.js';
import { askForKey, problemLines, WINDOWS } from './ui.js';
import { mountOverview } from './views/overview.js';
import { mountAgent } from './views/agent.js';
import { mountProposals } from './views/proposals.js';
import { mountKeys } from './views/keys.js';
import { mountAudit } from './views/audit.js';

const POLL_MS = 5000;
const WINDOW_KEY = 'agentledger.window';

const routes = [
  { pattern: /^\/?$/, nav: 'overview', mount: mountOverview },
  { pattern: /^\/agents\/([^/]+)$/, nav: 'overview', mount: mountAgent },
  { pattern: /^\/proposals$/, nav: 'proposals', mount: mountProposals },
  { pattern: /^\/keys$/, nav: 'keys', mount: mountKeys },
  { pattern: /^\/audit$/, nav: 'audit', mount: mountAudit },
];

const main = document.getElementById('main');
const banner = document.getElementById('banner');
let current = null;
let refreshing = false;
let mountedOnce = false;

function parseHash() {
  const raw = location.hash.slice(1) || '/';
  const [path, query = ''] = raw.split('?');
  return { path: path || '/', params: new URLSearchParams(query) };
}

function storedWindow(params) {
  const fromUrl = params.get('window');
  if (WINDOWS.includes(fromUrl)) {
    return fromUrl;
  }
  const stored = sessionStorage.getItem(WINDOW_KEY);
  return WINDOWS.includes(stored) ? stored : '24h';
}

/** What a view gets: the window, its query parameters, and ways to report the API's reachability. */
function context(path, params) {
  return {
    window: storedWindow(params),
    params,
    setWindow(w) {
      this.window = w;
      sessionStorage.setItem(WINDOW_KEY, w);
      this.setParam('window', w);
    },
    setParam(name, value) {
      if (value === null || value === undefined || value === '') {
        params.delete(name);
      } else {
        params.set(name, value);
      }
      const query = params.toString();
      // replaceState: the view updates itself, so no hashchange (and no remount) is wanted.
      history.replaceState(null, '', `#${path}${query ? `?${query}` : ''}`);
    },
    ok() {
      banner.hidden = true;
      banner.textContent = '';
    },
    failed(error) {
      if (error?.name === 'AbortError') {
        return;
      }
      banner.hidden = false;
      banner.textContent = `Could not refresh: ${problemLines(error).join(' ')} Retrying every ${POLL_MS / 1000} s.`;
    },
  };
}

function route() {
  const { path, params } = parseHash();
  const match = routes.map(r => ({ r, m: path.match(r.pattern) })).find(x => x.m);
  current?.unmount?.();
  current = null;
  main.replaceChildren();
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (match && link.dataset.nav === match.r.nav) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
  if (!match) {
    main.append(Object.assign(document.createElement('h1'), { textContent: 'Page not found' }));
    return;
  }
  const ctx = context(path, params);
  sessionStorage.setItem(WINDOW_KEY, ctx.window);
  current = match.r.mount(main, ctx, ...match.m.slice(1).map(decodeURIComponent));
  // On navigation (not the first load) move focus to the new page's heading for screen readers.
  if (mountedOnce) {
    main.querySelector('h1')?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
  mountedOnce = true;
}

async function poll() {
  if (document.hidden || refreshing || !current?.refresh) {
    return;
  }
  refreshing = true;
  try {
    await current.refresh();
  } finally {
    refreshing = false;
  }
}

function setupKeyButton() {
  const state = document.getElementById('key-state');
  const button = document.getElementById('key-button');
  const render = async () => {
    const key = credentials.key();
    const name = credentials.name();
    button.textContent = key ? 'Forget API key' : 'Enter API key';
    const me = key ? await credentials.identify() : null;
    if (credentials.key() !== key) {
      return;   // changed meanwhile: the change renders again
    }
    // Controls the role may not use are hidden by the style sheet (body[data-role]); without a
    // key they stay, and using one asks for the key.
    document.body.dataset.role = me?.role ?? 'none';
    state.textContent = me
      ? `${me.name} · ${me.role}${me.agents?.length ? ` (${me.agents.join(', ')})` : ''}${name ? ` · as ${name}` : ''}`
      : key ? 'Key set' : 'Read-only';
  };
  button.addEventListener('click', async () => {
    if (credentials.key()) {
      credentials.clear();
      return;
    }
    const entered = await askForKey('Enter the API key to run agents, change settings and review proposals.');
    if (entered) {
      credentials.set(entered.key, entered.name);
    }
  });
  credentials.onChange(render);
  render();
}

setupKeyButton();
window.addEventListener('hashchange', route);
document.addEventListener('visibilitychange', () => !document.hidden && poll());
setInterval(poll, POLL_MS);
setInterval(() => refreshRelativeTimes(), 1000);
document.getElementById('skip-link').addEventListener('click', event => {
  // The hash is the router's: focus the content without navigating.
  event.preventDefault();
  main.focus();
});
route();
