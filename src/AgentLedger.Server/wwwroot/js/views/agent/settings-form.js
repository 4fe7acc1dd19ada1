// The agent's persisted settings.
import { ApiError, get, send } from '../../api.js';
import { withUser } from '../../actions.js';
import { enc, h, prettyJson, replace, timeEl } from '../../dom.js';
import { confirmDialog, problemElement, setBusy, toast, toastError } from '../../ui.js';

/** The settings form: changed fields only, config as a merge patch, and the API's 422 messages next to each field. */
export function settingsForm(name, onSaved) {
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
