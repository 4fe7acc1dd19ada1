// The HTTP API client. Calls that change state ask for the key once per tab (sessionStorage, so it
// is gone when the tab closes) and send it as X-Api-Key; reads send it too once it is known, since a
// server on a non-loopback address asks for a key on reads as well.
import { askForKey } from './ui.js';

const KEY = 'agentledger.key';
const NAME = 'agentledger.name';
const changes = new EventTarget();

/** A failed call: `problem` is the API's RFC 7807 body (title, detail, errors). */
export class ApiError extends Error {
  constructor(status, problem, { cancelled = false } = {}) {
    super([problem?.title, problem?.detail].filter(Boolean).join(' ') || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem ?? {};
    this.cancelled = cancelled;
  }
}

let identity = null;

export const credentials = {
  key: () => sessionStorage.getItem(KEY),
  /** The key's {id, name, role, agents} from GET /api/auth/whoami; null while unknown or without a key. */
  identity: () => identity,
  name: () => sessionStorage.getItem(NAME) || null,
  set(key, name) {
    sessionStorage.setItem(KEY, key);
    if (name) {
      sessionStorage.setItem(NAME, name);
    } else {
      sessionStorage.removeItem(NAME);
    }
    changes.dispatchEvent(new Event('change'));
  },
  clear() {
    sessionStorage.removeItem(KEY);
    identity = null;
    changes.dispatchEvent(new Event('change'));
  },
  /** Asks the server who the stored key is; a refused key is forgotten. */
  async identify() {
    const key = credentials.key();
    if (!key) {
      identity = null;
      return null;
    }
    try {
      identity = await call('GET', '/api/auth/whoami', undefined, key);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        credentials.clear();
      }
      identity = null;
    }
    return identity;
  },
  onChange(listener) {
    changes.addEventListener('change', listener);
  },
};

async function call(method, path, body, key, signal) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  if (key) {
    headers['X-Api-Key'] = key;
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      signal,
    });
  } catch (error) {
    if (error.name === 'AbortError') {
      throw error;
    }
    throw new ApiError(0, { title: 'The server could not be reached.', detail: error.message });
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { title: `Unexpected ${response.status} response.`, detail: text.slice(0, 300) };
    }
  }
  if (!response.ok) {
    throw new ApiError(response.status, data ?? { title: `${response.status} ${response.statusText}` });
  }
  return data;
}

export function get(path, { signal } = {}) {
  return call('GET', path, undefined, credentials.key(), signal);
}

let pendingPrompt = null;

async function requireKey(reason) {
  const known = credentials.key();
  if (known) {
    return known;
  }
  // Two actions at once share one prompt.
  pendingPrompt ??= askForKey(reason).finally(() => {
    pendingPrompt = null;
  });
  const entered = await pendingPrompt;
  if (!entered) {
    throw new ApiError(0, { title: 'Cancelled: this action needs the API key.' }, { cancelled: true });
  }
  credentials.set(entered.key, entered.name);
  return entered.key;
}

/**
 * A call that changes state. A 401 forgets the key and asks again until the user cancels.
 * `body` may be a function, evaluated once the key (and the user's name) is known.
 */
export async function send(method, path, body) {
  let reason;
  for (;;) {
    const key = await requireKey(reason);
    try {
      return await call(method, path, typeof body === 'function' ? body() : body, key);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) {
        throw error;
      }
      credentials.clear();
      reason = `The server refused that key: ${error.problem.detail ?? error.message} Enter it again.`;
    }
  }
}
