/**
 * Generations' "Received (validator)" section: the answers the validator got from miners, newest
 * first and paged, filtered by uid, round and minimum score. Selecting one shows its waveform with
 * Play and, beside it, the round's reference clip with its own waveform and Play (the engine keeps
 * a round's reference as a WAV under the media route), so the two can be heard one after the other;
 * then the round's prompt, every raw and normalised metric, the judgement, the duplicate verdict
 * and the rejection reason.
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import type { ValidatorAnswer, ValidatorRound } from '../../../src-shared/schemas/validator.js';
import { formatBytes, formatLocalDateTime, formatMs } from '../../format.js';
import { shortAddress } from '../../miner-text.js';
import { ANSWERS_PAGE_SIZE, answersRangeText, filterByMinScore } from '../../state/validator-answers.js';
import type { AnswersQuery, ValidatorAnswersView } from '../../state/validator-answers.js';
import { Tag } from '../../components/Tag.js';
import { duplicateVerdict, field, formatMetric, metricRows, rejectionText } from '../../validator-text.js';
import { ClipPlayer } from './ClipPlayer.js';

/** A filter box's text as a number filter: '' is no filter; anything unreadable is reported, not guessed. */
export function parseFilter(
  text: string,
  kind: 'uid' | 'round' | 'score',
): { value: number | null; error: string | null } {
  const trimmed = text.trim();
  if (trimmed === '') return { value: null, error: null };
  const value = Number(trimmed);
  if (kind === 'score') {
    return Number.isFinite(value) && value >= 0
      ? { value, error: null }
      : { value: null, error: 'The minimum score is a number ≥ 0 (e.g. 0.2).' };
  }
  const ok = Number.isInteger(value) && (kind === 'uid' ? value >= 0 : value >= 1);
  return ok
    ? { value, error: null }
    : { value: null, error: kind === 'uid' ? 'A uid is a whole number ≥ 0.' : 'A round is a whole number ≥ 1.' };
}

export function ReceivedAnswers({
  view,
  rounds,
  connected,
  validatorKnown,
  mediaUrl,
  onQuery,
}: {
  view: ValidatorAnswersView;
  rounds: ReadonlyMap<number, ValidatorRound>;
  connected: boolean;
  /** Whether the engine has a validator at all (status answered). */
  validatorKnown: boolean;
  mediaUrl: (path: string) => string;
  onQuery: (query: Partial<AnswersQuery>) => void;
}): ReactNode {
  const [uidText, setUidText] = useState(view.query.uid === null ? '' : String(view.query.uid));
  const [roundText, setRoundText] = useState(view.query.roundId === null ? '' : String(view.query.roundId));
  const [scoreText, setScoreText] = useState('');
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const uid = parseFilter(uidText, 'uid');
  const round = parseFilter(roundText, 'round');
  const minScore = parseFilter(scoreText, 'score');
  const errors = [uid.error, round.error, minScore.error].filter((error): error is string => error !== null);
  const shown = view.items === null ? null : filterByMinScore(view.items, minScore.value);
  const selected = view.items?.find((item) => item.id === selectedId) ?? null;

  return (
    <div data-testid="validator-answers">
      <form
        className="toolbar"
        role="search"
        aria-label="Filter received answers"
        onSubmit={(event) => {
          event.preventDefault();
          if (errors.length === 0) onQuery({ uid: uid.value, roundId: round.value, offset: 0 });
        }}
      >
        <label className="field field--inline">
          <span>uid</span>
          <input inputMode="numeric" value={uidText} size={5} onChange={(event) => setUidText(event.target.value)} />
        </label>
        <label className="field field--inline">
          <span>Round</span>
          <input
            inputMode="numeric"
            value={roundText}
            size={6}
            onChange={(event) => setRoundText(event.target.value)}
          />
        </label>
        <label className="field field--inline">
          <span>Min score</span>
          <input
            inputMode="decimal"
            value={scoreText}
            size={6}
            onChange={(event) => setScoreText(event.target.value)}
          />
        </label>
        <button type="submit" className="button button--small" disabled={!connected || errors.length > 0}>
          Apply
        </button>
      </form>
      {errors.length > 0 && (
        <p className="alert" role="alert" data-testid="answers-filter-error">
          {errors.join(' ')}
        </p>
      )}
      {selected !== null && (
        <AnswerDetail answer={selected} round={rounds.get(selected.roundId) ?? null} mediaUrl={mediaUrl} />
      )}
      {view.error !== null && (
        <div className="alert" role="alert" data-testid="answers-error">
          <p>
            Could not list the answers: {view.error.message} <span className="muted">({view.error.code})</span>
          </p>
        </div>
      )}
      {shown === null ? (
        <p className="panel muted" role="status">
          {connected ? 'Loading the answers…' : 'The answers are listed once the engine is connected.'}
        </p>
      ) : view.items?.length === 0 && view.query.offset === 0 ? (
        <div className="panel" data-testid="answers-empty">
          <p>
            No answers received{view.query.uid !== null || view.query.roundId !== null ? ' for this filter' : ' yet'}.
          </p>
          <p className="muted">
            {validatorKnown
              ? 'Start the validator on the Overview page: each round queries a few miners and their answers land here, scored.'
              : 'This engine has no validator.'}
          </p>
        </div>
      ) : (
        <div className="panel library" aria-busy={view.loading}>
          <div className="panel__head">
            <span className="muted" aria-live="polite" data-testid="answers-range">
              {answersRangeText(view)}
              {minScore.value !== null && ` · ${shown.length} with a score ≥ ${formatMetric(minScore.value)}`}
            </span>
            <span className="library__pages">
              <button
                type="button"
                className="button button--small"
                disabled={view.query.offset === 0 || view.loading}
                onClick={() => onQuery({ offset: Math.max(0, view.query.offset - ANSWERS_PAGE_SIZE) })}
              >
                Newer
              </button>
              <button
                type="button"
                className="button button--small"
                disabled={view.query.offset + (view.items?.length ?? 0) >= view.total || view.loading}
                onClick={() => onQuery({ offset: view.query.offset + ANSWERS_PAGE_SIZE })}
              >
                Older
              </button>
            </span>
          </div>
          <ul className="library__list" role="list" aria-label="Received answers" data-testid="answers-list">
            {shown.map((answer) => (
              <AnswerRow
                key={answer.id}
                answer={answer}
                round={rounds.get(answer.roundId) ?? null}
                selected={answer.id === selectedId}
                onSelect={() => setSelectedId(answer.id)}
              />
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function answerTag(answer: ValidatorAnswer): { tone: 'ok' | 'warn' | 'error' | 'neutral'; text: string } {
  if (answer.failure !== null) return { tone: 'error', text: 'no audio' };
  if (rejectionText(answer.metrics) !== null) return { tone: 'error', text: 'rejected' };
  if (field(field(answer.metrics, 'duplicate'), 'duplicate') === true) return { tone: 'warn', text: 'duplicate' };
  if (answer.scoreAfter === null) return { tone: 'neutral', text: 'not scored' };
  return { tone: 'ok', text: 'scored' };
}

function AnswerRow({
  answer,
  round,
  selected,
  onSelect,
}: {
  answer: ValidatorAnswer;
  round: ValidatorRound | null;
  selected: boolean;
  onSelect: () => void;
}): ReactNode {
  const tag = answerTag(answer);
  return (
    <li className="clip" data-testid="validator-answer">
      <button type="button" className="clip__button" aria-pressed={selected} onClick={onSelect}>
        <span className="clip__prompt">
          uid {answer.uid} · round {answer.roundId}
          {round === null ? '' : ` · “${round.prompt}”`}
        </span>
        <Tag tone={tag.tone}>{tag.text}</Tag>
        <span className="clip__meta muted">
          {formatLocalDateTime(answer.time)} · from <span title={answer.hotkey}>{shortAddress(answer.hotkey)}</span> ·{' '}
          {answer.statusCode ?? '—'} in {formatMs(answer.elapsedMs)} · score{' '}
          {answer.scoreAfter === null ? '—' : formatMetric(answer.scoreAfter)}
        </span>
      </button>
    </li>
  );
}

function MetricTable({
  label,
  rows,
  testId,
}: {
  label: string;
  rows: ReturnType<typeof metricRows>;
  testId: string;
}): ReactNode {
  if (rows.length === 0) return <p className="muted">{label}: none recorded.</p>;
  return (
    <table className="table" aria-label={label} data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{label}</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.name}>
            <td>
              <code>{row.name}</code>
            </td>
            <td>{row.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Why an answer has no reference to play beside it. */
function referenceAbsence(round: ValidatorRound | null): string {
  if (round !== null && round.referenceName !== null) {
    // A round from before the engine kept reference clips, or one whose clip could not be written.
    return `The round named “${round.referenceName}” but its audio was not kept, so it cannot be played here.`;
  }
  return 'No reference clip for this prompt.';
}

export function AnswerDetail({
  answer,
  round,
  mediaUrl,
}: {
  answer: ValidatorAnswer;
  round: ValidatorRound | null;
  mediaUrl: (path: string) => string;
}): ReactNode {
  const durationSeconds = answer.sampleRate !== null && answer.samples > 0 ? answer.samples / answer.sampleRate : 0;
  const duplicate = duplicateVerdict(answer.metrics);
  const rejection = rejectionText(answer.metrics);
  // Raw metrics and the rest of the scorer's record apart from the verdicts shown in words above.
  const rawValue = field(answer.metrics, 'raw');
  const raw = rawValue === null ? [] : metricRows(rawValue, 'raw');
  const other = metricRows(answer.metrics).filter(
    (row) => !row.name.startsWith('raw') && !row.name.startsWith('duplicate') && !row.name.startsWith('rejection'),
  );
  return (
    <article className="panel clip-detail" aria-labelledby="answer-title" data-testid="answer-detail">
      <h2 id="answer-title" className="clip-detail__title">
        uid {answer.uid}, round {answer.roundId}
        {round === null ? '' : `: “${round.prompt}”`}
      </h2>
      <div className="clip-pair">
        <section className="clip-pair__side" aria-labelledby="answer-clip-title" data-testid="answer-clip">
          <h3 id="answer-clip-title" className="clip-pair__title">
            Answer of uid {answer.uid}
          </h3>
          {answer.wavFile !== null ? (
            <ClipPlayer
              key={answer.id}
              item={{ id: answer.id, durationSeconds }}
              url={mediaUrl(answer.wavFile)}
              fileName={`bittaudio-answer-${answer.roundId}-uid${answer.uid}.wav`}
            />
          ) : (
            <p className="muted" data-testid="answer-no-audio">
              No audio: {answer.failure ?? 'the miner sent none'}
              {answer.statusMessage === null ? '' : ` (${answer.statusMessage})`}.
            </p>
          )}
        </section>
        <section className="clip-pair__side" aria-labelledby="reference-clip-title" data-testid="reference-clip">
          <h3 id="reference-clip-title" className="clip-pair__title">
            Reference clip
            {round?.referenceName ? (
              <span className="muted" data-testid="reference-name">
                {' '}
                “{round.referenceName}”
              </span>
            ) : null}
          </h3>
          {answer.referenceWavFile !== null ? (
            <ClipPlayer
              key={`reference-${answer.roundId}`}
              // Its length is known once the player has read the clip.
              item={{ id: answer.roundId, durationSeconds: 0 }}
              url={mediaUrl(answer.referenceWavFile)}
              fileName={`bittaudio-reference-${answer.roundId}.wav`}
            />
          ) : (
            <p className="muted" data-testid="answer-reference">
              {referenceAbsence(round)}
            </p>
          )}
        </section>
      </div>
      <dl className="facts facts--compact">
        <dt>Miner</dt>
        <dd>
          <code>{answer.hotkey}</code>
        </dd>
        <dt>Answered</dt>
        <dd>
          {formatLocalDateTime(answer.time)} · status {answer.statusCode ?? '—'}
          {answer.statusMessage === null ? '' : ` ${answer.statusMessage}`} · {answer.route ?? 'no route'} · in{' '}
          {formatMs(answer.elapsedMs)}
        </dd>
        <dt>Audio</dt>
        <dd>
          {answer.audioBytes > 0 ? formatBytes(answer.audioBytes) : 'none'}
          {durationSeconds > 0 ? ` · ${durationSeconds.toFixed(2)} s at ${answer.sampleRate} Hz` : ''}
        </dd>
        <dt>Score</dt>
        <dd data-testid="answer-score">
          {answer.scoreBefore === null ? '—' : formatMetric(answer.scoreBefore)} →{' '}
          {answer.scoreAfter === null ? 'not scored' : formatMetric(answer.scoreAfter)}
        </dd>
        <dt>Duplicate</dt>
        <dd data-testid="answer-duplicate">{duplicate ?? 'not checked'}</dd>
        <dt>Rejection</dt>
        <dd data-testid="answer-rejection">{rejection ?? 'none'}</dd>
      </dl>
      <MetricTable label="Raw metrics" rows={raw} testId="answer-raw" />
      <MetricTable label="Judgement (normalised)" rows={metricRows(answer.judgement)} testId="answer-judgement" />
      {other.length > 0 && <MetricTable label="Other" rows={other} testId="answer-other" />}
    </article>
  );
}
