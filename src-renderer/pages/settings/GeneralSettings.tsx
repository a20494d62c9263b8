import { useState } from 'react';
import type { ReactNode } from 'react';
import { HostApiError } from '../../../src-shared/api/errors.js';
import { LOG_LEVELS, LogLevelSchema } from '../../../src-shared/schemas/logs.js';
import { ThemeSchema } from '../../../src-shared/schemas/settings.js';
import type { SettingKey, Settings, SettingsPatch } from '../../../src-shared/schemas/settings.js';
import { Field } from '../../components/Field.js';
import { Panel } from '../../components/Panel.js';
import { useEngine } from '../../state/engine-context.js';

const THEME_LABELS: Record<Settings['theme'], string> = { system: 'System', dark: 'Dark', light: 'Light' };

const HARDWARE_ACCELERATION_HELP =
  'Lets the desktop window draw with the GPU. Off by default because the GPU belongs to MusicGen. ' +
  'Applies at the next start of the desktop app; has no effect in the browser.';

type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'error'; error: HostApiError };

/** The engine's general settings: each control saves on change. */
export function GeneralSettings(): ReactNode {
  const saved = useEngine((state) => state.settings);
  const connected = useEngine((state) => state.connection.status === 'connected');
  const transport = useEngine((state) => state.transport);
  const updateSettings = useEngine((state) => state.updateSettings);
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  // Values sent but not yet confirmed: shown at once so a control never snaps back while the
  // daemon answers, and dropped (the saved value shows again) when it refuses.
  const [unconfirmed, setUnconfirmed] = useState<SettingsPatch>({});
  const settings = saved === null ? null : { ...saved, ...unconfirmed };

  // Each control saves on change: there is no half-edited form to lose.
  async function apply(patch: SettingsPatch): Promise<void> {
    setUnconfirmed((current) => ({ ...current, ...patch }));
    setSave({ kind: 'saving' });
    try {
      await updateSettings(patch);
      setSave({ kind: 'saved' });
    } catch (error) {
      setSave({
        kind: 'error',
        error: error instanceof HostApiError ? error : new HostApiError('internal', String(error)),
      });
    } finally {
      setUnconfirmed((current) => withoutConfirmed(current, patch));
    }
  }

  const disabled = settings === null || !connected;

  return (
    <Panel title="General">
      {settings === null ? (
        <p className="muted">
          {connected ? 'Loading the settings…' : 'The settings load once the engine is connected.'}
        </p>
      ) : (
        <form className="settings" onSubmit={(event) => event.preventDefault()}>
          <div className="setting">
            <button
              type="button"
              className="button button--secondary"
              disabled={disabled}
              onClick={() => {
                void apply({ onboarded: false });
                window.location.hash = '#/overview';
              }}
              data-testid="reopen-setup"
            >
              Run the first-run setup again
            </button>
          </div>
          <div className="setting">
            <label className="setting__check">
              <input
                type="checkbox"
                checked={settings.hardwareAcceleration}
                disabled={disabled}
                aria-describedby="hardware-acceleration-help"
                onChange={(event) => void apply({ hardwareAcceleration: event.target.checked })}
              />
              Hardware acceleration
            </label>
            <p className="setting__help" id="hardware-acceleration-help">
              {HARDWARE_ACCELERATION_HELP}
              {transport === 'websocket' && ' This page is open in a browser now.'}
            </p>
          </div>
          <Field label="Log level" help="Lines below this level are neither kept nor shown.">
            {(control) => (
              <select
                {...control}
                value={settings.logLevel}
                disabled={disabled}
                data-testid="setting-log-level"
                onChange={(event) => void apply({ logLevel: LogLevelSchema.parse(event.target.value) })}
              >
                {LOG_LEVELS.map((level) => (
                  <option key={level} value={level}>
                    {level}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Theme" help="System follows the light or dark choice of your operating system.">
            {(control) => (
              <select
                {...control}
                value={settings.theme}
                disabled={disabled}
                data-testid="setting-theme"
                onChange={(event) => void apply({ theme: ThemeSchema.parse(event.target.value) })}
              >
                {ThemeSchema.options.map((theme) => (
                  <option key={theme} value={theme}>
                    {THEME_LABELS[theme]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <SaveStatus save={save} />
        </form>
      )}
    </Panel>
  );
}

function SaveStatus({ save }: { save: SaveState }): ReactNode {
  if (save.kind === 'error') {
    return (
      <div className="alert" role="alert" data-testid="settings-error">
        <p>
          Could not save the setting: {save.error.message} <span className="muted">({save.error.code})</span>
        </p>
        {save.error.issues !== undefined && save.error.issues.length > 0 && (
          <ul>
            {save.error.issues.map((issue) => (
              <li key={issue}>{issue}</li>
            ))}
          </ul>
        )}
      </div>
    );
  }
  return (
    <p className="setting__status muted" role="status" data-testid="settings-status">
      {save.kind === 'saving' ? 'Saving…' : save.kind === 'saved' ? 'Saved.' : ''}
    </p>
  );
}

/** Forgets the values of `sent`, unless a later change to the same key is still on its way. */
function withoutConfirmed(unconfirmed: SettingsPatch, sent: SettingsPatch): SettingsPatch {
  const still = Object.entries(unconfirmed).filter(([key, value]) => sent[key as SettingKey] !== value);
  return Object.fromEntries(still) as SettingsPatch;
}
