/**
 * Settings → Scoring: how the validator scores (the profile) and with which models and device.
 * Each model choice lists the store's models of that kind with their state, so a person sees at
 * once that the chosen CLAP still has to be downloaded (Settings → Models, below). Each control
 * saves on change, like the rest of the Settings page.
 */
import type { ReactNode } from 'react';
import { HostApiError } from '../../../src-shared/api/errors.js';
import { EXECUTION_PROVIDERS, ExecutionProviderSchema } from '../../../src-shared/schemas/gpu.js';
import type { ModelKind, ModelListEntry } from '../../../src-shared/schemas/model-manifest.js';
import { SCORING_PROFILES, ScoringProfileSchema } from '../../../src-shared/schemas/scoring.js';
import type { Settings, SettingsPatch } from '../../../src-shared/schemas/settings.js';
import { useEngine } from '../../state/engine-context.js';
import { useSettingsSave, type SaveState } from './use-settings-save.js';

type ScoringKey = 'scoringClapModel' | 'scoringClassifierModel' | 'scoringVggishModel';

const PROFILE_HELP: Record<Settings['scoringProfile'], string> = {
  'bittaudio-1.1.3': 'Scores as the reference validator does, quirks included, so weights agree with other validators.',
  fixed: 'Repairs the reference’s quirks (continuous normalisers, no jumps); weights may differ from other validators.',
};

const DEVICE_LABELS: Record<Settings['scoringDevice'], string> = { cpu: 'CPU', cuda: 'CUDA', webgpu: 'WebGPU' };

const MODEL_SLOTS: readonly { key: ScoringKey; kind: ModelKind; label: string; help: string }[] = [
  { key: 'scoringClapModel', kind: 'clap', label: 'CLAP model', help: 'Prompt adherence: text and audio embeddings.' },
  {
    key: 'scoringClassifierModel',
    kind: 'audio-classifier',
    label: 'AudioSet classifier',
    help: 'Audio quality: the KL divergence of class probabilities against the reference clip.',
  },
  {
    key: 'scoringVggishModel',
    kind: 'vggish',
    label: 'VGGish model',
    help: 'FAD against the reference clip. Import only; without one, rounds are scored without FAD.',
  },
];

/** The `<select>` value of “no VGGish”; model ids are lowercase words, so it cannot be one. */
export const NO_MODEL = '';

export interface ModelOption {
  value: string;
  label: string;
  /** Whether the model is installed and verified (its default dtype, fp32 for scoring models). */
  ready: boolean;
}

/**
 * The models of one kind to choose from, one per id, labelled with their state. A setting naming
 * a model the list does not hold (removed, or a list not loaded yet) stays selectable under its
 * own name, so showing the page never changes the setting.
 */
export function modelOptions(
  entries: readonly ModelListEntry[] | null,
  kind: ModelKind,
  current: string | null,
): ModelOption[] {
  const byId = new Map<string, ModelListEntry[]>();
  for (const entry of entries ?? []) {
    if (entry.kind !== kind) continue;
    byId.set(entry.id, [...(byId.get(entry.id) ?? []), entry]);
  }
  const options = [...byId.entries()].map(([id, variants]): ModelOption => {
    const ready = variants.some((v) => v.state === 'ready');
    const state = ready ? 'ready' : (variants[0]?.state ?? 'missing');
    return { value: id, label: `${variants[0]?.displayName ?? id} (${state})`, ready };
  });
  const known = current === null || byId.has(current) || [...byId.values()].some((v) => v[0]?.repo === current);
  if (!known) {
    options.push({ value: current, label: entries === null ? current : `${current} (not offered)`, ready: false });
  }
  return options;
}

/** The option a setting selects: by id, or by repo when the setting names one. */
function selectedValue(
  options: readonly ModelOption[],
  entries: readonly ModelListEntry[] | null,
  current: string | null,
): string {
  if (current === null) return NO_MODEL;
  if (options.some((o) => o.value === current)) return current;
  return entries?.find((e) => e.repo === current)?.id ?? current;
}

/** The settings change one control makes; a value no schema accepts is refused here, not sent. */
export function scoringPatch(key: keyof ScoringChoices, value: string): SettingsPatch {
  switch (key) {
    case 'scoringProfile':
      return { scoringProfile: ScoringProfileSchema.parse(value) };
    case 'scoringDevice':
      return { scoringDevice: ExecutionProviderSchema.parse(value) };
    case 'scoringVggishModel':
      return { scoringVggishModel: value === NO_MODEL ? null : value };
    case 'scoringClapModel':
      return { scoringClapModel: value };
    case 'scoringClassifierModel':
      return { scoringClassifierModel: value };
  }
}

export type ScoringChoices = Pick<
  Settings,
  'scoringProfile' | 'scoringClapModel' | 'scoringClassifierModel' | 'scoringVggishModel' | 'scoringDevice'
>;

export function ScoringSettings(): ReactNode {
  const settings = useEngine((state) => state.settings);
  const entries = useEngine((state) => state.models.entries);
  const connected = useEngine((state) => state.connection.status === 'connected');
  const { save, pending, apply, refuse } = useSettingsSave();

  if (settings === null) return null;
  return (
    <ScoringSettingsView
      choices={{ ...settings, ...pending }}
      entries={entries}
      connected={connected}
      save={save}
      onChange={(key, value) => {
        let patch: SettingsPatch;
        try {
          patch = scoringPatch(key, value);
        } catch {
          refuse(new HostApiError('invalid_input', `${value} is not a choice for ${key}.`));
          return;
        }
        void apply(patch);
      }}
    />
  );
}

export function ScoringSettingsView({
  choices,
  entries,
  connected,
  save,
  onChange,
}: {
  choices: ScoringChoices;
  entries: readonly ModelListEntry[] | null;
  connected: boolean;
  save: SaveState;
  onChange: (key: keyof ScoringChoices, value: string) => void;
}): ReactNode {
  const disabled = !connected;
  return (
    <section className="panel settings" aria-labelledby="scoring-title" data-testid="scoring-settings">
      <h2 id="scoring-title">Scoring</h2>
      <p className="setting__help">How the validator scores miners’ music, and with which models.</p>
      <div className="setting">
        <label className="field" htmlFor="setting-scoring-profile">
          Scoring profile
        </label>
        <select
          id="setting-scoring-profile"
          value={choices.scoringProfile}
          disabled={disabled}
          aria-describedby="scoring-profile-help"
          onChange={(event) => onChange('scoringProfile', event.target.value)}
        >
          {SCORING_PROFILES.map((profile) => (
            <option key={profile} value={profile}>
              {profile}
            </option>
          ))}
        </select>
        <p className="setting__help" id="scoring-profile-help">
          {PROFILE_HELP[choices.scoringProfile]}
        </p>
      </div>
      {MODEL_SLOTS.map((slot) => {
        const current = choices[slot.key];
        const options = modelOptions(entries, slot.kind, current);
        const value = selectedValue(options, entries, current);
        const chosen = options.find((o) => o.value === value);
        const id = `setting-${slot.key}`;
        return (
          <div className="setting" key={slot.key} data-testid={id}>
            <label className="field" htmlFor={id}>
              {slot.label}
            </label>
            <select
              id={id}
              value={value}
              disabled={disabled}
              aria-describedby={`${id}-help`}
              onChange={(event) => onChange(slot.key, event.target.value)}
            >
              {slot.key === 'scoringVggishModel' && <option value={NO_MODEL}>None (score without FAD)</option>}
              {options.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
            <p className="setting__help" id={`${id}-help`}>
              {slot.help}
              {chosen !== undefined && !chosen.ready && entries !== null && (
                <strong data-testid={`${id}-not-ready`}> Not installed yet: download or import it under Models.</strong>
              )}
            </p>
          </div>
        );
      })}
      <div className="setting">
        <label className="field" htmlFor="setting-scoring-device">
          Scoring device
        </label>
        <select
          id="setting-scoring-device"
          value={choices.scoringDevice}
          disabled={disabled}
          aria-describedby="scoring-device-help"
          onChange={(event) => onChange('scoringDevice', event.target.value)}
        >
          {EXECUTION_PROVIDERS.map((device) => (
            <option key={device} value={device}>
              {DEVICE_LABELS[device]}
            </option>
          ))}
        </select>
        <p className="setting__help" id="scoring-device-help">
          The CPU is the default: the GPU belongs to MusicGen, and a GPU’s float noise can flip a score at a hard edge.
        </p>
      </div>
      {save.kind === 'error' ? (
        <div className="alert" role="alert" data-testid="scoring-settings-error">
          <p>
            Could not save the setting: {save.error.message} <span className="muted">({save.error.code})</span>
          </p>
        </div>
      ) : (
        <p className="setting__status muted" role="status" data-testid="scoring-settings-status">
          {save.kind === 'saving' ? 'Saving…' : save.kind === 'saved' ? 'Saved.' : ''}
        </p>
      )}
    </section>
  );
}
