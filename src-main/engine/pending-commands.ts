/**
 * Commands of the contract whose service has not joined the engine yet. Each answers
 * `unavailable` with what is missing, so a client sees a clear error, not a crash. A service that
 * implements one removes it here (the engine's handler type then checks there is exactly one).
 */
import { HostApiError } from '../../src-shared/api/errors.js';
import type { HandlerSlice } from './service.js';

type Pending =
  | 'models.import'
  | 'neuron.status'
  | 'neuron.start'
  | 'neuron.stop'
  | 'generations.list'
  | 'generations.get'
  | 'rewards.list';

function missing(what: string): () => never {
  return () => {
    throw new HostApiError('unavailable', `${what} is not part of this build yet.`);
  };
}

export const pendingCommands: HandlerSlice<Pending> = {
  'models.import': missing('Importing a model folder'),
  'neuron.status': missing('The miner service'),
  'neuron.start': missing('The miner service'),
  'neuron.stop': missing('The miner service'),
  'generations.list': missing('The generation library'),
  'generations.get': missing('The generation library'),
  'rewards.list': missing('The rewards history'),
};
