/** What the weights crash harness (weights-crash-entry.ts) reads from its environment; test-only. */
export const HARNESS_ENV = {
  endpoint: 'BITTAUDIO_CRASH_ENDPOINT',
  dataDir: 'BITTAUDIO_CRASH_DATA_DIR',
  netuid: 'BITTAUDIO_CRASH_NETUID',
  hotkey: 'BITTAUDIO_CRASH_HOTKEY',
  pauseAt: 'BITTAUDIO_CRASH_PAUSE_AT',
} as const;

/** The validator's scope in the store, as validator.ts names it. */
export function validatorScope(hotkey: string, netuid: number): string {
  return `${hotkey}@${netuid}`;
}
