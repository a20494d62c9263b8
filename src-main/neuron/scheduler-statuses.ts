/**
 * The work scheduler's refusals as the axon's statuses (wire-protocol §4.9): a full line and
 * "cannot finish in time" are 503 with Retry-After (the validator learns at once, not at its
 * timeout), a deadline that passed is Python's 408 text, anything else a 500 whose cause stays in
 * our log.
 */
import { GenerationError } from '../inference/generate/errors.js';
import { SchedulerError } from '../inference/scheduler.js';
import { AxonRejection, axonErrors } from '../net/errors.js';

/** Seconds a refused caller is told to wait (Retry-After). */
export const BUSY_RETRY_AFTER_SECONDS = 15;

export function schedulerRejection(
  error: unknown,
  timeoutSeconds: number,
  retryAfterSeconds = BUSY_RETRY_AFTER_SECONDS,
): AxonRejection {
  if (error instanceof AxonRejection) return error;
  if (error instanceof SchedulerError) {
    switch (error.code) {
      case 'queue_full':
      case 'cannot_finish':
        return axonErrors.busy(retryAfterSeconds, error.message);
      case 'deadline_exceeded':
        return axonErrors.timedOutInQueue(timeoutSeconds);
      case 'cancelled':
      case 'closed':
        return axonErrors.internal(error.message);
    }
  }
  if (error instanceof GenerationError) return axonErrors.internal(`${error.code}: ${error.message}`);
  return axonErrors.internal(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}
