/**
 * The validator as the renderer keeps it: `validator.status` at connect, then the round and
 * weights events folded in, so the Overview follows rounds live without polling.
 */
import type {
  ValidatorRoundEvent,
  ValidatorStatus,
  WeightsSubmissionWire,
} from '../../src-shared/schemas/validator.js';

/** A round event: the round under way while it runs, the last one once it is over, and the scores after it. */
export function applyRoundEvent(status: ValidatorStatus, event: ValidatorRoundEvent): ValidatorStatus {
  const running = event.round.state === 'querying' || event.round.state === 'scoring';
  if (running) return { ...status, current: event.round, scores: event.scores };
  return {
    ...status,
    current: status.current?.id === event.round.id ? null : status.current,
    last: status.last === null || status.last.id <= event.round.id ? event.round : status.last,
    roundsDone: event.round.state === 'done' ? status.roundsDone + 1 : status.roundsDone,
    scores: event.scores,
  };
}

export function applyWeightsEvent(status: ValidatorStatus, weights: WeightsSubmissionWire): ValidatorStatus {
  return { ...status, lastWeights: weights };
}
