/** Why a metric could not be computed from its input: a named reason the validator can log and show. */
export type MetricInputReason =
  | 'silence'
  | 'empty'
  | 'non_finite'
  | 'shape_mismatch'
  | 'too_few_frames'
  | 'not_a_distribution'
  | 'zero_vector'
  | 'invalid_value';

export class MetricInputError extends Error {
  override readonly name = 'MetricInputError';
  constructor(
    readonly reason: MetricInputReason,
    message: string,
  ) {
    super(message);
  }
}

/** Throws `non_finite` when any element of `values` is NaN or infinite. */
export function assertFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new MetricInputError('non_finite', `${what} has a non-finite value at index ${i}`);
    }
  }
}
