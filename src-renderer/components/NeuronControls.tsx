/**
 * The state pill and the Start / Stop button of a neuron panel (the miner's and the validator's):
 * Stop while it runs or stops, Start otherwise, each disabled while offline or already under way.
 */
import type { ReactNode } from 'react';
import type { NeuronState } from '../../src-shared/schemas/neuron.js';
import { Tag, type Tone } from './Tag.js';

export const NEURON_STATE_TONE: Record<NeuronState, Tone> = {
  stopped: 'neutral',
  starting: 'warn',
  running: 'ok',
  stopping: 'warn',
  failed: 'error',
};

export function NeuronControls({
  state,
  action,
  noun,
  testIdPrefix,
  connected,
  canStart,
  onStart,
  onStop,
}: {
  state: NeuronState | null;
  /** A start or stop asked from this window and not answered yet. */
  action: 'starting' | 'stopping' | null;
  /** "miner", "validator": the buttons read "Start miner". */
  noun: string;
  /** `neuron` gives neuron-state, neuron-start and neuron-stop. */
  testIdPrefix: string;
  connected: boolean;
  /** False until the status is known. */
  canStart: boolean;
  onStart(): void;
  onStop(): void;
}): ReactNode {
  const starting = action === 'starting' || state === 'starting';
  const stopping = action === 'stopping' || state === 'stopping';
  return (
    <span className="neuron__controls">
      {state !== null && (
        <Tag tone={NEURON_STATE_TONE[state]} testId={`${testIdPrefix}-state`}>
          {state}
        </Tag>
      )}
      {state === 'running' || stopping ? (
        <button
          type="button"
          className="button"
          disabled={!connected || stopping}
          onClick={onStop}
          data-testid={`${testIdPrefix}-stop`}
        >
          {stopping ? 'Stopping…' : `Stop ${noun}`}
        </button>
      ) : (
        <button
          type="button"
          className="button"
          disabled={!connected || starting || !canStart}
          onClick={onStart}
          data-testid={`${testIdPrefix}-start`}
        >
          {starting ? 'Starting…' : `Start ${noun}`}
        </button>
      )}
    </span>
  );
}
