/**
 * How a settings section saves: each control saves on change, the value sent shows at once (a
 * control never snaps back while the engine answers) and is dropped when the engine answers — the
 * saved value shows, or the refusal in `save`.
 */
import { useState } from 'react';
import { HostApiError } from '../../../src-shared/api/errors.js';
import type { SettingKey, SettingsPatch } from '../../../src-shared/schemas/settings.js';
import { useEngine } from '../../state/engine-context.js';

export type SaveState =
  { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'error'; error: HostApiError };

export function useSettingsSave(): {
  save: SaveState;
  /** Values sent and not yet answered. */
  pending: SettingsPatch;
  apply(patch: SettingsPatch): Promise<void>;
  /** Shows a refusal found before anything was sent (a choice the page cannot turn into a patch). */
  refuse(error: HostApiError): void;
} {
  const updateSettings = useEngine((state) => state.updateSettings);
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [pending, setPending] = useState<SettingsPatch>({});

  async function apply(patch: SettingsPatch): Promise<void> {
    setPending((current) => ({ ...current, ...patch }));
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
      setPending((current) => withoutConfirmed(current, patch));
    }
  }
  return { save, pending, apply, refuse: (error) => setSave({ kind: 'error', error }) };
}

/** Forgets the values of `sent`, unless a later change to the same key is still on its way. */
function withoutConfirmed(unconfirmed: SettingsPatch, sent: SettingsPatch): SettingsPatch {
  const still = Object.entries(unconfirmed).filter(([key, value]) => sent[key as SettingKey] !== value);
  return Object.fromEntries(still) as SettingsPatch;
}
