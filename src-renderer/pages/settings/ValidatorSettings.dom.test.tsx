// @vitest-environment jsdom
/** Settings → Validator as a person uses it: pick a prompt source, fill its fields, save; bad input is one clear line. */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { HostApiError } from '../../../src-shared/api/errors.js';
import { DEFAULT_SETTINGS, SettingsPatchSchema } from '../../../src-shared/schemas/settings.js';
import type { SaveState } from './use-settings-save.js';
import { draftOf, settingOf, ValidatorSettingsView, type PromptDraft } from './ValidatorSettings.js';

afterEach(() => cleanup());

const IDLE: SaveState = { kind: 'idle' };

describe('Settings → Validator', () => {
  it('shows only the chosen kind’s fields and saves the draft as typed', () => {
    const saved: PromptDraft[] = [];
    render(
      <ValidatorSettingsView
        current={DEFAULT_SETTINGS.validatorPrompts}
        connected
        save={IDLE}
        onSave={(d) => saved.push(d)}
      />,
    );
    expect(screen.queryByTestId('setting-prompt-path')).toBeNull();
    act(() => fireEvent.change(screen.getByTestId('setting-prompt-kind'), { target: { value: 'folder' } }));
    act(() => fireEvent.change(screen.getByLabelText('Folder'), { target: { value: ' /data/prompts ' } }));
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Save prompt source' })));
    expect(saved).toHaveLength(1);
    expect(settingOf(saved[0] as PromptDraft)).toEqual({ ok: true, value: { kind: 'folder', path: '/data/prompts' } });

    act(() => fireEvent.change(screen.getByTestId('setting-prompt-kind'), { target: { value: 'llm' } }));
    expect(screen.getByLabelText('Model')).toHaveProperty('value', 'gpt-4o-mini');
    act(() =>
      fireEvent.change(screen.getByLabelText('Endpoint URL'), { target: { value: 'http://127.0.0.1:8000/v1' } }),
    );
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Save prompt source' })));
    const llm = settingOf(saved[1] as PromptDraft);
    expect(llm).toEqual({
      ok: true,
      value: { kind: 'llm', url: 'http://127.0.0.1:8000/v1', model: 'gpt-4o-mini', timeoutMs: 20_000 },
    });
    // What the page sends is a patch the engine accepts as it is.
    if (llm.ok)
      expect(SettingsPatchSchema.parse({ validatorPrompts: llm.value })).toEqual({ validatorPrompts: llm.value });
  });

  it('starts from the saved source and shows a refusal as one line', () => {
    render(
      <ValidatorSettingsView
        current={{ kind: 'hub', repo: 'etechgrid/prompts_for_TTM', revision: 'v2' }}
        connected
        save={{ kind: 'error', error: new HostApiError('invalid_input', 'Dataset: a hub repository is "owner/name"') }}
        onSave={() => undefined}
      />,
    );
    expect(screen.getByLabelText('Dataset')).toHaveProperty('value', 'etechgrid/prompts_for_TTM');
    expect(screen.getByLabelText('Revision')).toHaveProperty('value', 'v2');
    expect(screen.getByRole('alert').textContent).toBe(
      'Could not save the prompt source: Dataset: a hub repository is "owner/name" (invalid_input)',
    );
  });

  it('names the field of the first problem, and never takes a key in the address', () => {
    const draft = draftOf(DEFAULT_SETTINGS.validatorPrompts);
    expect(settingOf({ ...draft, kind: 'hub', repo: 'not a repo' })).toEqual({
      ok: false,
      error: 'Dataset: a hub repository is "owner/name" (letters, digits, ".", "_" and "-")',
    });
    expect(settingOf({ ...draft, kind: 'folder', path: '  ' })).toMatchObject({ ok: false, error: /^Folder: / });
    expect(settingOf({ ...draft, kind: 'llm', url: 'https://sk-secret@api.example.com/v1' })).toEqual({
      ok: false,
      error: 'Endpoint URL: put the API key in BITTAUDIO_LLM_API_KEY, not in the address',
    });
    expect(settingOf({ ...draft, kind: 'llm', url: 'ftp://example.com' })).toEqual({
      ok: false,
      error: 'Endpoint URL: the endpoint must be an http:// or https:// address',
    });
    expect(settingOf(draft)).toEqual({ ok: true, value: { kind: 'bundled' } });
  });
});
