/**
 * Settings → Validator: where the validator's prompts come from on a real network (the bundled
 * set, a Hugging Face dataset, a folder on the engine's machine, or an OpenAI-compatible endpoint
 * with its model). The fields are a draft until Save, so a half-typed address is never sent; the
 * draft is checked with the settings' own schema first, and a refusal shows as one clear line. The
 * endpoint's key is never a setting: the engine reads it from BITTAUDIO_LLM_API_KEY.
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import { HostApiError } from '../../../src-shared/api/errors.js';
import {
  DEFAULT_LLM_MODEL,
  DEFAULT_LLM_TIMEOUT_MS,
  PromptSourceSettingSchema,
  REFERENCE_PROMPT_DATASET,
  type PromptSourceSetting,
} from '../../../src-shared/schemas/prompts.js';
import { Field } from '../../components/Field.js';
import { useEngine } from '../../state/engine-context.js';
import { useSettingsSave, type SaveState } from './use-settings-save.js';

export type PromptKind = PromptSourceSetting['kind'];

const KIND_LABELS: Record<PromptKind, string> = {
  bundled: 'Bundled prompts (offline)',
  hub: 'Hugging Face dataset',
  folder: 'Local folder',
  llm: 'OpenAI-compatible endpoint',
};

/** Every field of every kind, so switching kinds keeps what was typed. */
export interface PromptDraft {
  kind: PromptKind;
  repo: string;
  revision: string;
  path: string;
  url: string;
  model: string;
  timeoutMs: number;
}

export function draftOf(setting: PromptSourceSetting): PromptDraft {
  return {
    kind: setting.kind,
    repo: setting.kind === 'hub' ? setting.repo : REFERENCE_PROMPT_DATASET,
    revision: setting.kind === 'hub' ? setting.revision : 'main',
    path: setting.kind === 'folder' ? setting.path : '',
    url: setting.kind === 'llm' ? setting.url : '',
    model: setting.kind === 'llm' ? setting.model : DEFAULT_LLM_MODEL,
    timeoutMs: setting.kind === 'llm' ? setting.timeoutMs : DEFAULT_LLM_TIMEOUT_MS,
  };
}

/** The setting a draft stands for, or the first reason it is not one (named by its field). */
export function settingOf(draft: PromptDraft): { ok: true; value: PromptSourceSetting } | { ok: false; error: string } {
  const candidate =
    draft.kind === 'bundled'
      ? { kind: 'bundled' }
      : draft.kind === 'hub'
        ? { kind: 'hub', repo: draft.repo.trim(), revision: draft.revision.trim() }
        : draft.kind === 'folder'
          ? { kind: 'folder', path: draft.path.trim() }
          : { kind: 'llm', url: draft.url.trim(), model: draft.model.trim(), timeoutMs: draft.timeoutMs };
  const parsed = PromptSourceSettingSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  return {
    ok: false,
    error: `${field === '' ? 'Prompt source' : (FIELD_NAMES[field] ?? field)}: ${issue?.message ?? 'not valid'}`,
  };
}

const FIELD_NAMES: Record<string, string> = {
  repo: 'Dataset',
  revision: 'Revision',
  path: 'Folder',
  url: 'Endpoint URL',
  model: 'Model',
  timeoutMs: 'Timeout',
};

export function ValidatorSettings(): ReactNode {
  const settings = useEngine((state) => state.settings);
  const connected = useEngine((state) => state.connection.status === 'connected');
  const { save, apply, refuse } = useSettingsSave();
  if (settings === null) return null;
  return (
    <ValidatorSettingsView
      // A new saved value (here or from another window) starts a fresh draft.
      key={JSON.stringify(settings.validatorPrompts)}
      current={settings.validatorPrompts}
      connected={connected}
      save={save}
      onSave={(draft) => {
        const checked = settingOf(draft);
        if (checked.ok) void apply({ validatorPrompts: checked.value });
        else refuse(new HostApiError('invalid_input', checked.error));
      }}
    />
  );
}

export function ValidatorSettingsView({
  current,
  connected,
  save,
  onSave,
}: {
  current: PromptSourceSetting;
  connected: boolean;
  save: SaveState;
  onSave: (draft: PromptDraft) => void;
}): ReactNode {
  const [draft, setDraft] = useState<PromptDraft>(() => draftOf(current));
  const change = (patch: Partial<PromptDraft>): void => setDraft((value) => ({ ...value, ...patch }));
  const disabled = !connected;
  return (
    <section className="panel settings" aria-labelledby="validator-settings-title" data-testid="validator-settings">
      <h2 id="validator-settings-title">Validator</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          onSave(draft);
        }}
      >
        <Field
          label="Prompt source"
          help="Used on a real network; the bundled prompts answer whenever this source fails. The local network keeps its own prompts."
        >
          {(control) => (
            <select
              {...control}
              value={draft.kind}
              disabled={disabled}
              data-testid="setting-prompt-kind"
              onChange={(event) => change({ kind: event.target.value as PromptKind })}
            >
              {(Object.keys(KIND_LABELS) as PromptKind[]).map((kind) => (
                <option key={kind} value={kind}>
                  {KIND_LABELS[kind]}
                </option>
              ))}
            </select>
          )}
        </Field>
        {draft.kind === 'hub' && (
          <>
            <Field
              label="Dataset"
              help={`owner/name on the hub; the reference validator's is ${REFERENCE_PROMPT_DATASET}.`}
            >
              {(control) => (
                <input
                  {...control}
                  value={draft.repo}
                  disabled={disabled}
                  data-testid="setting-prompt-repo"
                  onChange={(event) => change({ repo: event.target.value })}
                />
              )}
            </Field>
            <Field label="Revision" help="A branch, tag or commit.">
              {(control) => (
                <input
                  {...control}
                  value={draft.revision}
                  disabled={disabled}
                  onChange={(event) => change({ revision: event.target.value })}
                />
              )}
            </Field>
          </>
        )}
        {draft.kind === 'folder' && (
          <Field
            label="Folder"
            help="A folder on the engine's machine laid out like a hub set: data/*.parquet, metadata.csv with audio, or a CSV of prompts."
          >
            {(control) => (
              <input
                {...control}
                value={draft.path}
                disabled={disabled}
                data-testid="setting-prompt-path"
                onChange={(event) => change({ path: event.target.value })}
              />
            )}
          </Field>
        )}
        {draft.kind === 'llm' && (
          <>
            <Field
              label="Endpoint URL"
              help="The API base (…/v1) or the full …/chat/completions address. The key comes from BITTAUDIO_LLM_API_KEY on the engine's machine, never from here."
            >
              {(control) => (
                <input
                  {...control}
                  value={draft.url}
                  disabled={disabled}
                  placeholder="https://api.openai.com/v1"
                  data-testid="setting-prompt-url"
                  onChange={(event) => change({ url: event.target.value })}
                />
              )}
            </Field>
            <Field label="Model">
              {(control) => (
                <input
                  {...control}
                  value={draft.model}
                  disabled={disabled}
                  data-testid="setting-prompt-model"
                  onChange={(event) => change({ model: event.target.value })}
                />
              )}
            </Field>
          </>
        )}
        <div className="setting">
          <button type="submit" className="button button--small" disabled={disabled} data-testid="setting-prompt-save">
            Save prompt source
          </button>
        </div>
      </form>
      {save.kind === 'error' ? (
        <div className="alert" role="alert" data-testid="validator-settings-error">
          <p>
            Could not save the prompt source: {save.error.message} <span className="muted">({save.error.code})</span>
          </p>
        </div>
      ) : (
        <p className="setting__status muted" role="status" data-testid="validator-settings-status">
          {save.kind === 'saving' ? 'Saving…' : save.kind === 'saved' ? 'Saved.' : ''}
        </p>
      )}
    </section>
  );
}
