/**
 * How the validator's data read on screen: the alerts derived from its status (the status carries
 * no alert list of its own), the metrics and judgement JSON flattened into rows, and the CSV of the
 * reward snapshots built here for a Blob download.
 */
import type { JsonValue } from '../src-shared/schemas/json.js';
import type { RewardSnapshot } from '../src-shared/schemas/neuron.js';
import type { ValidatorStatus } from '../src-shared/schemas/validator.js';
import { alphaToTaoRao, formatRao } from '../src-shared/format/rao.js';

export interface ValidatorAlert {
  readonly kind: 'failed' | 'weights_failed' | 'reveal_missing' | 'not_revealed' | 'no_scores' | 'low_stake';
  readonly severity: 'warning' | 'error';
  readonly message: string;
}

/**
 * What the operator should act on, from the status alone: a validator that failed, weights the
 * chain refused, a commit whose reveal was missed or is still pending, a running validator whose
 * rounds scored nobody, and a hotkey without a validator permit (the status carries what the last
 * round's metagraph said: our stake weight against the lowest permitted validator's).
 */
export function validatorAlerts(status: ValidatorStatus): ValidatorAlert[] {
  const alerts: ValidatorAlert[] = [];
  if (status.state === 'failed') {
    alerts.push({
      kind: 'failed',
      severity: 'error',
      message: `The validator failed: ${status.error ?? 'no reason given'}`,
    });
  }
  const weights = status.lastWeights;
  if (weights?.state === 'failed') {
    alerts.push({
      kind: 'weights_failed',
      severity: 'error',
      message: `Setting weights failed at block ${weights.block}: ${weights.error ?? 'no reason given'}`,
    });
  } else if (weights?.state === 'reveal_missing') {
    alerts.push({
      kind: 'reveal_missing',
      severity: 'error',
      message: `The weights committed at block ${weights.block} were never revealed: the chain ignores them.`,
    });
  } else if (weights?.state === 'committed') {
    alerts.push({
      kind: 'not_revealed',
      severity: 'warning',
      message: `Weights committed at block ${weights.block} are not revealed yet; they count once revealed.`,
    });
  }
  const permit = status.permit;
  if (permit !== null && !permit.validatorPermit) {
    const stake = formatRao(permit.stake, { unit: 'alpha' });
    const lowest = permit.lowestPermittedStake;
    alerts.push({
      kind: 'low_stake',
      severity: 'error',
      message:
        lowest === null
          ? `This hotkey has no validator permit on the subnet (stake ${stake}), and no uid holds one yet: the chain refuses its weights.`
          : BigInt(permit.stake) < BigInt(lowest)
            ? `Low stake: ${stake} is below the lowest permitted validator's ${formatRao(lowest, { unit: 'alpha' })}, so this hotkey has no validator permit and the chain refuses its weights. Stake more to this hotkey.`
            : `This hotkey has no validator permit yet (stake ${stake}; the lowest permitted validator holds ${formatRao(lowest, { unit: 'alpha' })}): permits are given at the next epoch, weights are refused until then.`,
    });
  }
  if (status.state === 'running' && status.roundsDone > 0 && status.scores.every((score) => score.score === 0)) {
    alerts.push({
      kind: 'no_scores',
      severity: 'warning',
      message: 'Every moving average is 0: no miner has earned a score yet, so weights would be empty.',
    });
  }
  return alerts;
}

/** When the weight setter may submit next, in words (the status's nextWeightsBlock). */
export function nextWeightsText(status: ValidatorStatus, head: number | null): string {
  const next = status.nextWeightsBlock;
  if (status.state !== 'running' || next === null) {
    return status.state === 'running' ? 'once the last submission is confirmed on chain' : 'while running';
  }
  if (next === 0 || (head !== null && next <= head)) return 'at the next block';
  return head === null ? `block ${next}` : `block ${next} (in ${next - head} block${next - head === 1 ? '' : 's'})`;
}

export interface MetricRow {
  /** Dotted path: `raw.kld`, `duplicate.near.similarity`. */
  readonly name: string;
  readonly value: string;
}

/** A number as read in a table: integers whole, others to 4 significant digits. */
export function formatMetric(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

/**
 * A metrics or judgement object as rows, one per leaf. Kept generic on purpose: the scorer's
 * fields grow as real metrics land, and every one of them should show without a page change.
 */
export function metricRows(value: JsonValue | null | undefined, prefix = ''): MetricRow[] {
  if (value === null || value === undefined) return prefix === '' ? [] : [{ name: prefix, value: '—' }];
  if (Array.isArray(value)) {
    if (value.length === 0) return prefix === '' ? [] : [{ name: prefix, value: 'none' }];
    if (value.every((item) => item === null || typeof item !== 'object')) {
      return [{ name: prefix, value: value.map((item) => leaf(item as JsonValue)).join('; ') }];
    }
    return value.flatMap((item, index) => metricRows(item, `${prefix}[${index}]`));
  }
  if (typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) =>
      metricRows(item as JsonValue, prefix === '' ? key : `${prefix}.${key}`),
    );
  }
  return [{ name: prefix, value: leaf(value) }];
}

function leaf(value: JsonValue): string {
  if (typeof value === 'number') return formatMetric(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (value === null) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The object under `key` of a JSON object, or null. */
export function field(value: JsonValue | null, key: string): JsonValue | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  return (value as Record<string, JsonValue>)[key] ?? null;
}

/** The duplicate verdict in words, from the stored metrics; null when there is none. */
export function duplicateVerdict(metrics: JsonValue | null): string | null {
  const duplicate = field(metrics, 'duplicate');
  if (duplicate === null) return null;
  if (field(duplicate, 'duplicate') !== true) return 'original';
  if (field(duplicate, 'exact') === true) return 'exact duplicate of an earlier answer';
  const near = field(duplicate, 'near');
  const matched = field(near, 'matched');
  const similarity = field(near, 'similarity');
  return `near duplicate${typeof matched === 'string' ? ` of ${matched}` : ''}${
    typeof similarity === 'number' ? ` (similarity ${formatMetric(similarity)})` : ''
  }`;
}

/** Why the answer was rejected, in words; null when it was not. */
export function rejectionText(metrics: JsonValue | null): string | null {
  const rejection = field(metrics, 'rejection');
  if (rejection === null) return null;
  const kind = field(rejection, 'kind');
  const detail = field(rejection, 'detail') ?? field(rejection, 'problems');
  const words = Array.isArray(detail)
    ? detail.map((item) => leaf(item)).join('; ')
    : detail === null
      ? ''
      : leaf(detail);
  return [typeof kind === 'string' ? kind.replace(/_/g, ' ') : 'rejected', words].filter(Boolean).join(': ');
}

export type RewardRange = 'all' | '24h' | '7d' | '30d';

export const REWARD_RANGES: readonly { id: RewardRange; label: string; ms: number | null }[] = [
  { id: '24h', label: 'Last 24 hours', ms: 24 * 3_600_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 24 * 3_600_000 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 24 * 3_600_000 },
  { id: 'all', label: 'Everything recorded', ms: null },
];

/** The snapshots taken within the range before `nowMs`; a snapshot with an unreadable time is kept only in 'all'. */
export function inRange(items: readonly RewardSnapshot[], range: RewardRange, nowMs: number): RewardSnapshot[] {
  const span = REWARD_RANGES.find((entry) => entry.id === range)?.ms ?? null;
  if (span === null) return [...items];
  return items.filter((item) => {
    const time = Date.parse(item.time);
    return Number.isFinite(time) && time >= nowMs - span && time <= nowMs;
  });
}

const CSV_COLUMNS = [
  'time',
  'block',
  'netuid',
  'uid',
  'hotkey',
  'stake_rao',
  'incentive',
  'emission_rao',
  'trust',
  // Appended (issue #12): empty where not recorded or where the chain gives no price.
  'immunity_blocks_left',
  'alpha_price_rao',
  'emission_tao_rao',
];

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The snapshots as CSV (header first, CRLF lines); amounts stay in rao, exactly as stored. */
export function rewardsCsv(items: readonly RewardSnapshot[]): string {
  const rows = items.map((item) =>
    [
      item.time,
      String(item.block),
      String(item.netuid),
      String(item.uid),
      item.hotkey,
      item.stake,
      String(item.incentive),
      item.emission,
      item.trust === null ? '' : String(item.trust),
      item.immunityBlocksLeft === undefined || item.immunityBlocksLeft === null ? '' : String(item.immunityBlocksLeft),
      item.alphaPrice ?? '',
      item.alphaPrice === undefined || item.alphaPrice === null
        ? ''
        : alphaToTaoRao(item.emission, item.alphaPrice).toString(),
    ]
      .map(csvField)
      .join(','),
  );
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}
