import type { ReactNode } from 'react';
import { LOG_LEVELS, LogLevelSchema } from '../../../src-shared/schemas/logs.js';
import { ThemeSchema } from '../../../src-shared/schemas/settings.js';
import type { Settings } from '../../../src-shared/schemas/settings.js';
import { Field } from '../../components/Field.js';
import { Panel } from '../../components/Panel.js';
import { useEngine } from '../../state/engine-context.js';
import { useSettingsSave, type SaveState } from './use-settings-save.js';

const THEME_LABELS: Record<Settings['theme'], string> = { system: 'System', dark: 'Dark', light: 'Light' };

const HARDWARE_ACCELERATION_HELP =
  'Lets the desktop window draw with the GPU. Off by default because the GPU belongs to MusicGen. ' +
  'Applies at the next start of the desktop app; has no effect in the browser.';

/** The engine's general settings: each control saves on change. */
export function GeneralSettings(): ReactNode {
  const saved = useEngine((state) => state.settings);
  const connected = useEngine((state) => state.connection.status === 'connected');
  const transport = useEngine((state) => state.transport);
  const { save, pending: unconfirmed, apply } = useSettingsSave();
  const settings = saved === null ? null : { ...saved, ...unconfirmed };

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
