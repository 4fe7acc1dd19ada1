// State-changing actions shared by the pages; each reports its outcome as a notification.
import { credentials, send } from './api.js';
import { enc } from './dom.js';
import { confirmDialog, toast, toastError } from './ui.js';

/** Starts a run; a disabled agent is run only after the user confirms (force=true). Null when not started. */
export async function runNow(agent) {
  let force = false;
  if (!agent.enabled) {
    force = await confirmDialog(`Run ${agent.name}?`,
      `${agent.name} is disabled, so the scheduler does not run it. Run it once anyway?`, 'Run once');
    if (!force) {
      return null;
    }
  }
  try {
    const started = await send('POST', `/api/agents/${enc(agent.name)}/run${force ? '?force=true' : ''}`);
    toast(`Started a run of ${agent.name}.`, { kind: 'success' });
    return started;
  } catch (error) {
    toastError(`Could not run ${agent.name}`, error);
    return null;
  }
}

/** Persists the enabled flag; true when the API accepted it. */
export async function setEnabled(name, enabled) {
  try {
    await send('PUT', `/api/agents/${enc(name)}/settings`, () => withUser({ enabled }, 'updated_by'));
    toast(`${name} ${enabled ? 'enabled' : 'disabled'}.`, { kind: 'success' });
    return true;
  } catch (error) {
    toastError(`Could not ${enabled ? 'enable' : 'disable'} ${name}`, error);
    return false;
  }
}

/** Adds the reviewer's name (from the key dialog) under `field` when one was given. */
export function withUser(body, field) {
  const name = credentials.name();
  return name ? { ...body, [field]: name } : body;
}
