/**
 * The validator's received answers as the Generations page lists them: one page of
 * `validator.answers` (newest first) for a uid / round filter. The minimum-score filter is applied
 * here, on the page shown, because the Host API filters by uid and round only.
 */
import type { HostApiError } from '../../src-shared/api/errors.js';
import type { ValidatorAnswer } from '../../src-shared/schemas/validator.js';

export const ANSWERS_PAGE_SIZE = 25;

export interface AnswersQuery {
  /** null: every uid. */
  readonly uid: number | null;
  /** null: every round. */
  readonly roundId: number | null;
  readonly offset: number;
}

export interface ValidatorAnswersView {
  readonly query: AnswersQuery;
  /** null before the first listing. */
  readonly items: readonly ValidatorAnswer[] | null;
  /** Answers matching the uid / round filter, on every page. */
  readonly total: number;
  readonly loading: boolean;
  readonly error: HostApiError | null;
}

export const EMPTY_ANSWERS: ValidatorAnswersView = {
  query: { uid: null, roundId: null, offset: 0 },
  items: null,
  total: 0,
  loading: false,
  error: null,
};

/**
 * The answers of a page whose moving average after them is at least `minScore` (null: all).
 * An answer not scored (no audio yet, round interrupted) has no score and is left out by any minimum.
 */
export function filterByMinScore(items: readonly ValidatorAnswer[], minScore: number | null): ValidatorAnswer[] {
  if (minScore === null) return [...items];
  return items.filter((item) => item.scoreAfter !== null && item.scoreAfter >= minScore);
}

/** "Answers 26–50 of 73". */
export function answersRangeText(view: ValidatorAnswersView): string {
  const shown = view.items?.length ?? 0;
  if (shown === 0) return `No answers on this page (${view.total} in all)`;
  return `Answers ${view.query.offset + 1}–${view.query.offset + shown} of ${view.total}`;
}
