/**
 * The Overview's validator panels: state with Start / Stop, the round under way (prompt, queried
 * uids), the last round, the last weights, the moving-average scores by uid, and the alerts
 * derived from the status. Plain props, so tests render them to static markup.
 */
import type { ReactNode } from 'react';
import type { HostApiError } from '../../src-shared/api/errors.js';
import type {
  ValidatorRound,
  ValidatorRoundState,
  ValidatorScore,
  ValidatorStatus,
  WeightsSubmissionWire,
} from '../../src-shared/schemas/validator.js';
import { formatLocalDateTime } from '../format.js';
import { shortAddress } from '../miner-text.js';
import type { ActionState, Loaded } from '../state/engine-store.js';
import { formatMetric, nextWeightsText, validatorAlerts } from '../validator-text.js';
import { InlineCode } from './InlineCode.js';
import { NeuronControls } from './NeuronControls.js';
import { Tag, type Tone } from './Tag.js';

export const ROUND_TONE: Record<ValidatorRoundState, Tone> = {
  querying: 'warn',
  scoring: 'warn',
  done: 'ok',
  interrupted: 'neutral',
  failed: 'error',
};

const WEIGHTS_TONE: Record<WeightsSubmissionWire['state'], Tone> = {
  submitted: 'warn',
  included: 'ok',
  committed: 'warn',
  revealed: 'ok',
  failed: 'error',
  reveal_missing: 'error',
};

function isMissingService(error: HostApiError): boolean {
  return error.code === 'unavailable' || error.code === 'unknown_command';
}

export function ValidatorPanel({
  validator,
  action,
  connected,
  head = null,
  onStart,
  onStop,
}: {
  validator: Loaded<ValidatorStatus>;
  action: ActionState;
  connected: boolean;
  /** The chain's latest block, to say how far off the next weights are. */
  head?: number | null;
  onStart(): void;
  onStop(): void;
}): ReactNode {
  const status = validator.value;
  const state = status?.state ?? null;
  return (
    <section className="panel" aria-labelledby="validator-title" data-testid="validator">
      <div className="panel__head">
        <h2 id="validator-title">Validator</h2>
        <NeuronControls
          state={state}
          action={action.action}
          noun="validator"
          testIdPrefix="validator"
          connected={connected}
          canStart={status !== null}
          onStart={onStart}
          onStop={onStop}
        />
      </div>
      {action.error !== null && (
        <div className="alert" role="alert" data-testid="validator-error">
          <p>
            The validator did not {action.action === 'stopping' ? 'stop' : 'start'}:{' '}
            <InlineCode text={action.error.message} /> <span className="muted">({action.error.code})</span>
          </p>
        </div>
      )}
      {status === null ? (
        <p className="muted" data-testid="validator-unavailable">
          {validator.error === null
            ? connected
              ? 'Asking the engine about its validator…'
              : 'The validator shows once the engine is connected.'
            : isMissingService(validator.error)
              ? `This engine cannot run the validator: ${validator.error.message}`
              : `Could not read the validator's state: ${validator.error.message}`}
        </p>
      ) : (
        <ValidatorDetails status={status} head={head} />
      )}
    </section>
  );
}

function ValidatorDetails({ status, head }: { status: ValidatorStatus; head: number | null }): ReactNode {
  const alerts = validatorAlerts(status);
  return (
    <>
      {alerts.length > 0 && (
        <ul className="plain-list alerts" aria-label="Validator alerts" data-testid="validator-alerts">
          {alerts.map((alert) => (
            <li key={alert.kind} className="alerts__item" data-testid={`validator-alert-${alert.kind}`}>
              <Tag tone={alert.severity === 'error' ? 'error' : 'warn'}>{alert.severity}</Tag>{' '}
              <InlineCode text={alert.message} />
            </li>
          ))}
        </ul>
      )}
      <dl className="facts">
        <dt>Hotkey</dt>
        <dd>{status.hotkey === null ? <span className="muted">none yet</span> : <code>{status.hotkey}</code>}</dd>
        <dt>Subnet</dt>
        <dd>{status.netuid === null ? <span className="muted">not started</span> : status.netuid}</dd>
        <dt>Scoring</dt>
        <dd>
          profile {status.profile} · {status.minersPerRound} miners a round · moving average α {status.alpha}
        </dd>
        <dt>Prompts</dt>
        <dd>{status.prompts ?? <span className="muted">none while stopped</span>}</dd>
        <dt>Rounds</dt>
        <dd data-testid="validator-rounds">{status.roundsDone} done since start</dd>
        <dt>Round under way</dt>
        <dd data-testid="validator-current">
          {status.current === null ? <span className="muted">none</span> : <RoundFacts round={status.current} />}
        </dd>
        <dt>Last round</dt>
        <dd data-testid="validator-last">
          {status.last === null ? <span className="muted">none yet</span> : <RoundFacts round={status.last} />}
        </dd>
        <dt>Last weights</dt>
        <dd data-testid="validator-weights">
          {status.lastWeights === null ? (
            <span className="muted">none set yet (weights follow the scores, every few rounds)</span>
          ) : (
            <WeightsFacts weights={status.lastWeights} />
          )}
        </dd>
        <dt>Next weights</dt>
        <dd data-testid="validator-next-weights">{nextWeightsText(status, head)}</dd>
      </dl>
      {status.error !== null && status.state !== 'failed' && (
        <p className="muted">
          Last error: <InlineCode text={status.error} />
        </p>
      )}
      <ScoresTable scores={status.scores} weights={status.lastWeights} />
    </>
  );
}

function RoundFacts({ round }: { round: ValidatorRound }): ReactNode {
  return (
    <>
      round {round.id} <Tag tone={ROUND_TONE[round.state]}>{round.state}</Tag> · block {round.block} ·{' '}
      {formatLocalDateTime(round.started)}
      <br />“{round.prompt}”{' '}
      <span className="muted">
        · {round.promptSource}
        {round.referenceName === null ? '' : ` · reference ${round.referenceName}`} · uids{' '}
        {round.uids.length === 0 ? 'none' : round.uids.join(', ')}
      </span>
      {round.error !== null && (
        <>
          <br />
          <InlineCode text={round.error} />
        </>
      )}
    </>
  );
}

function WeightsFacts({ weights }: { weights: WeightsSubmissionWire }): ReactNode {
  return (
    <>
      block {weights.block} <Tag tone={WEIGHTS_TONE[weights.state]}>{weights.state.replace('_', ' ')}</Tag> ·{' '}
      {weights.mode} · {weights.uids.length} uid{weights.uids.length === 1 ? '' : 's'} ·{' '}
      {formatLocalDateTime(weights.time)}
      {weights.extrinsic !== null && (
        <>
          {' '}
          · extrinsic <code title={weights.extrinsic}>{shortAddress(weights.extrinsic)}</code>
        </>
      )}
      {weights.error !== null && (
        <>
          <br />
          <InlineCode text={weights.error} />
        </>
      )}
    </>
  );
}

/** The weight each uid got in a submission, as a share of the total (the chain normalises them). */
export function weightShares(weights: WeightsSubmissionWire | null): Map<number, number> {
  const shares = new Map<number, number>();
  if (weights === null) return shares;
  const total = weights.weights.reduce((sum, weight) => sum + weight, 0);
  weights.uids.forEach((uid, index) => shares.set(uid, total > 0 ? (weights.weights[index] ?? 0) / total : 0));
  return shares;
}

/** The moving averages by uid, highest first, beside the weight the last submission gave each. */
export function ScoresTable({
  scores,
  weights,
}: {
  scores: readonly ValidatorScore[];
  weights: WeightsSubmissionWire | null;
}): ReactNode {
  if (scores.length === 0) {
    return (
      <p className="muted" data-testid="validator-scores-empty">
        No scores yet: each miner gets one with its first scored answer.
      </p>
    );
  }
  const shares = weightShares(weights);
  const sorted = [...scores].sort((a, b) => b.score - a.score || a.uid - b.uid);
  return (
    <table className="table" aria-label="Scores by uid" data-testid="validator-scores">
      <thead>
        <tr>
          <th scope="col">uid</th>
          <th scope="col">Hotkey</th>
          <th scope="col">Score (EMA)</th>
          <th scope="col">Last weight</th>
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((score) => {
          const share = shares.get(score.uid);
          return (
            <tr key={score.uid} data-testid="validator-score">
              <td>{score.uid}</td>
              <td>
                <code title={score.hotkey}>{shortAddress(score.hotkey)}</code>
              </td>
              <td>{formatMetric(score.score)}</td>
              <td>{share === undefined ? '—' : `${(share * 100).toFixed(2)} %`}</td>
              <td>{formatLocalDateTime(score.updated)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
