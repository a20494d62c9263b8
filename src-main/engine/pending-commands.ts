/**
 * Commands of the contract whose service has not joined the engine yet. Each answers
 * `unavailable` with what is missing, so a client sees a clear error, not a crash. A service that
 * implements one removes it here (the engine's handler type then checks there is exactly one).
 */
import { HostApiError } from '../../src-shared/api/errors.js';
import type { HandlerSlice } from './service.js';

type Pending = 'network.status';

function missing(what: string): () => never {
  return () => {
    throw new HostApiError('unavailable', `${what} is not part of this build yet.`);
  };
}

export const pendingCommands: HandlerSlice<Pending> = {
  'network.status': missing('The network service'),
};
