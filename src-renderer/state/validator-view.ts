/**
 * The validator as the renderer keeps it: `validator.status` at connect, then the round and
 * weights events folded in, so the Overview follows rounds live without polling.
 */
import type {
  ValidatorRound,
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

/** Rounds kept by id for the answers' prompts (answers carry only their round id). */
export const MAX_KNOWN_ROUNDS = 500;

/** The rounds seen so far with the status's current and last ones added (the newest version wins). */
export function rememberRounds(
  known: ReadonlyMap<number, ValidatorRound>,
  status: ValidatorStatus | null,
): ReadonlyMap<number, ValidatorRound> {
  const seen = [status?.current, status?.last].filter((round): round is ValidatorRound => round != null);
  if (seen.every((round) => known.get(round.id) === round)) return known;
  const next = new Map(known);
  for (const round of seen) next.set(round.id, round);
  // Oldest ids go first when the map is full.
  for (const id of [...next.keys()].sort((a, b) => a - b).slice(0, Math.max(0, next.size - MAX_KNOWN_ROUNDS))) {
    next.delete(id);
  }
  return next;
}
