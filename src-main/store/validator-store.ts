/**
 * The validator's memory in SQLite (issue #12): each round (prompt, uids, state) with its reference
 * clip as a WAV file (`<data>/validator/<round>-reference.wav`), each miner's answer with its audio
 * as a WAV file beside it (`<data>/validator/<round>-<uid>-<id>.wav`), the metrics and judgement
 * the scorer gave it, and the moving-average scores by uid and hotkey.
 *
 * Restart safety: a round is a row from its start; answers are rows as they arrive; the scores of
 * a round and its closing are one transaction, so a kill -9 leaves either the scores before the
 * round or after it, never half. A round found open at start-up is closed as `interrupted` (its
 * answers stay for the page; the scores were never touched by it).
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonValue } from '../../src-shared/schemas/json.js';
import type { ScoringProfile } from '../../src-shared/schemas/scoring.js';
import type {
  ValidatorAnswer,
  ValidatorRound,
  ValidatorRoundState,
  ValidatorScore,
} from '../../src-shared/schemas/validator.js';
import { encodeWav, encodeWavChannels } from '../audio/wav.js';
import type { Db } from './database.js';

/** The folder under the data folder that holds the answers' WAV files (also their media prefix). */
export const VALIDATOR_AUDIO_FOLDER = 'validator';

export interface NewRound {
  scope: string;
  started: string;
  block: number;
  promptId: string;
  prompt: string;
  promptSource: string;
  referenceName: string | null;
  profile: ScoringProfile;
  durationTokens: number;
  timeoutSeconds: number;
  uids: readonly number[];
}

export interface NewAnswer {
  time: string;
  uid: number;
  hotkey: string;
  statusCode: number | null;
  statusMessage: string | null;
  route: 'sealed' | 'plaintext' | null;
  elapsedMs: number;
  failure: string | null;
}

/** A round's reference clip as the prompt source decoded it: one Float32Array per channel. */
export interface ReferenceAudio {
  channelData: readonly Float32Array[];
  sampleRate: number;
}

/** What the scorer and the moving average made of one answer. */
export interface AnswerOutcome {
  answerId: number;
  metrics: JsonValue;
  judgement: JsonValue;
  scoreBefore: number;
  scoreAfter: number;
}

interface RoundRow {
  id: number;
  scope: string;
  started: string;
  block: number;
  prompt_id: string;
  prompt: string;
  prompt_source: string;
  reference_name: string | null;
  profile: string;
  duration_tokens: number;
  timeout_seconds: number;
  uids: string;
  state: string;
  ended: string | null;
  error: string | null;
  reference_wav_file: string | null;
}

interface AnswerRow {
  id: number;
  round_id: number;
  time: string;
  uid: number;
  hotkey: string;
  status_code: number | null;
  status_message: string | null;
  route: string | null;
  elapsed_ms: number;
  failure: string | null;
  samples: number;
  sample_rate: number | null;
  audio_bytes: number;
  wav_file: string | null;
  metrics: string | null;
  judgement: string | null;
  score_before: number | null;
  score_after: number | null;
  /** The round's, joined in. */
  reference_wav_file: string | null;
}

interface ScoreRow {
  uid: number;
  hotkey: string;
  score: number;
  updated: string;
}

export class ValidatorStore {
  readonly audioDir: string;

  constructor(
    private readonly db: Db,
    dataDir: string,
  ) {
    this.audioDir = join(dataDir, VALIDATOR_AUDIO_FOLDER);
  }

  openRound(round: NewRound): ValidatorRound {
    const id = Number(
      this.db
        .prepare(
          `INSERT INTO validator_rounds (scope, started, block, prompt_id, prompt, prompt_source, reference_name, profile,
             duration_tokens, timeout_seconds, uids, state)
           VALUES (@scope, @started, @block, @promptId, @prompt, @promptSource, @referenceName, @profile,
             @durationTokens, @timeoutSeconds, @uids, 'querying')`,
        )
        .run({ ...round, uids: JSON.stringify(round.uids) }).lastInsertRowid,
    );
    return this.round(id) as ValidatorRound;
  }

  setRoundState(id: number, state: Extract<ValidatorRoundState, 'querying' | 'scoring'>): void {
    this.db.prepare('UPDATE validator_rounds SET state = ? WHERE id = ?').run(state, id);
  }

  /** Ends a round without scores (a failure: no prompt, no models); its answers stay. */
  failRound(id: number, ended: string, error: string): void {
    this.db
      .prepare(`UPDATE validator_rounds SET state = 'failed', ended = ?, error = ? WHERE id = ? AND ended IS NULL`)
      .run(ended, error, id);
  }

  /**
   * Records one answer; with audio, also its WAV (PCM16), written to a temp name and renamed, so a
   * crash leaves a row without audio, never half a file.
   */
  addAnswer(roundId: number, answer: NewAnswer, audio?: { samples: Float32Array; sampleRate: number }): number {
    const id = Number(
      this.db
        .prepare(
          `INSERT INTO validator_answers (round_id, time, uid, hotkey, status_code, status_message, route, elapsed_ms, failure)
           VALUES (@roundId, @time, @uid, @hotkey, @statusCode, @statusMessage, @route, @elapsedMs, @failure)`,
        )
        .run({ roundId, ...answer }).lastInsertRowid,
    );
    if (!audio) return id;
    const file = `${roundId}-${answer.uid}-${id}.wav`;
    const bytes = encodeWav(audio.samples, audio.sampleRate, 'pcm16');
    this.writeWav(file, bytes);
    this.db
      .prepare('UPDATE validator_answers SET wav_file = ?, audio_bytes = ?, samples = ?, sample_rate = ? WHERE id = ?')
      .run(file, bytes.length, audio.samples.length, audio.sampleRate, id);
    return id;
  }

  /**
   * Keeps the round's reference clip as a WAV beside its answers (PCM16, every channel), written the
   * way answers are, once: a round that has one keeps it. Returns the round with its media path. A
   * clip that cannot be written (no samples, a bad rate) throws and leaves the round without one.
   */
  addReference(roundId: number, reference: ReferenceAudio): ValidatorRound {
    const round = this.round(roundId);
    if (!round) throw new Error(`no validator round ${roundId}`);
    if (round.referenceWavFile !== null) return round;
    const frames = reference.channelData[0]?.length ?? 0;
    if (frames === 0) throw new RangeError(`the reference clip of round ${roundId} has no samples`);
    const file = `${roundId}-reference.wav`;
    this.writeWav(file, encodeWavChannels(reference.channelData, reference.sampleRate, 'pcm16'));
    this.db.prepare('UPDATE validator_rounds SET reference_wav_file = ? WHERE id = ?').run(file, roundId);
    return this.round(roundId) ?? round;
  }

  /**
   * The round's outcome and the new moving averages, in one transaction: a crash keeps the scores
   * from before the round or those after it.
   */
  closeRound(
    id: number,
    ended: string,
    outcomes: readonly AnswerOutcome[],
    scores: readonly { uid: number; hotkey: string; score: number }[],
  ): void {
    const row = this.db.prepare('SELECT scope FROM validator_rounds WHERE id = ?').get(id) as
      Pick<RoundRow, 'scope'> | undefined;
    if (!row) throw new Error(`no validator round ${id}`);
    const scope = row.scope;
    this.db.transaction(() => {
      const update = this.db.prepare(
        `UPDATE validator_answers SET metrics = @metrics, judgement = @judgement, score_before = @scoreBefore,
           score_after = @scoreAfter WHERE id = @answerId AND round_id = @roundId`,
      );
      for (const outcome of outcomes) {
        update.run({
          ...outcome,
          roundId: id,
          metrics: JSON.stringify(outcome.metrics),
          judgement: JSON.stringify(outcome.judgement),
        });
      }
      this.writeScores(scope, scores, ended);
      this.db.prepare(`UPDATE validator_rounds SET state = 'done', ended = ? WHERE id = ?`).run(ended, id);
    })();
  }

  /** Rounds a crash left open are closed as `interrupted`; returns them. */
  interruptOpenRounds(scope: string, ended: string): ValidatorRound[] {
    const open = (
      this.db
        .prepare(`SELECT * FROM validator_rounds WHERE scope = ? AND ended IS NULL ORDER BY id`)
        .all(scope) as RoundRow[]
    ).map(fromRoundRow);
    this.db
      .prepare(
        `UPDATE validator_rounds SET state = 'interrupted', ended = ?, error = 'the validator stopped during the round'
         WHERE scope = ? AND ended IS NULL`,
      )
      .run(ended, scope);
    return open;
  }

  /**
   * Every round still open, whoever ran it, closed as `interrupted`: at engine start no validator of
   * this data folder runs yet, so an open round is one a killed process left behind.
   */
  interruptAllOpenRounds(ended: string): number {
    return this.db
      .prepare(
        `UPDATE validator_rounds SET state = 'interrupted', ended = ?, error = 'the validator stopped during the round'
         WHERE ended IS NULL`,
      )
      .run(ended).changes;
  }

  /** The scope of the newest round (what a stopped validator's status shows), or null. */
  lastScope(): string | null {
    const row = this.db.prepare('SELECT scope FROM validator_rounds ORDER BY id DESC LIMIT 1').get() as
      Pick<RoundRow, 'scope'> | undefined;
    return row?.scope ?? null;
  }

  round(id: number): ValidatorRound | undefined {
    const row = this.db.prepare('SELECT * FROM validator_rounds WHERE id = ?').get(id) as RoundRow | undefined;
    return row ? fromRoundRow(row) : undefined;
  }

  /** The newest round, running or not; with `ended`, the newest one that is over. */
  lastRound(scope: string, options: { ended?: boolean } = {}): ValidatorRound | undefined {
    const row = this.db
      .prepare(
        `SELECT * FROM validator_rounds WHERE scope = ? ${options.ended ? 'AND ended IS NOT NULL' : ''} ORDER BY id DESC LIMIT 1`,
      )
      .get(scope) as RoundRow | undefined;
    return row ? fromRoundRow(row) : undefined;
  }

  /** The moving averages of one validator, by uid. */
  scores(scope: string): Map<number, ValidatorScore> {
    const rows = this.db
      .prepare('SELECT uid, hotkey, score, updated FROM validator_scores WHERE scope = ? ORDER BY uid')
      .all(scope) as ScoreRow[];
    return new Map(rows.map((row) => [row.uid, { ...row }]));
  }

  /** Sets some uids' scores (a zeroing, a new hotkey) outside a round. */
  setScores(scope: string, scores: readonly { uid: number; hotkey: string; score: number }[], updated: string): void {
    this.db.transaction(() => this.writeScores(scope, scores, updated))();
  }

  /** Answers newest first, optionally of one uid or one round. */
  answers(options: { limit?: number; offset?: number; uid?: number; roundId?: number } = {}): ValidatorAnswer[] {
    const rows = this.db
      .prepare(
        `SELECT a.*, r.reference_wav_file FROM validator_answers a LEFT JOIN validator_rounds r ON r.id = a.round_id
         WHERE (@uid IS NULL OR a.uid = @uid) AND (@roundId IS NULL OR a.round_id = @roundId)
         ORDER BY a.id DESC LIMIT @limit OFFSET @offset`,
      )
      .all({
        uid: options.uid ?? null,
        roundId: options.roundId ?? null,
        limit: options.limit ?? 50,
        offset: options.offset ?? 0,
      }) as AnswerRow[];
    return rows.map(fromAnswerRow);
  }

  countAnswers(options: { uid?: number; roundId?: number } = {}): number {
    const row = this.db
      .prepare(
        `SELECT COUNT(*) AS n FROM validator_answers
         WHERE (@uid IS NULL OR uid = @uid) AND (@roundId IS NULL OR round_id = @roundId)`,
      )
      .get({ uid: options.uid ?? null, roundId: options.roundId ?? null }) as { n: number };
    return row.n;
  }

  /** Absolute path of an answer's or a reference's WAV file (the media path `answers` and `round` give). */
  wavPath(wavFile: string): string {
    return join(this.audioDir, wavFile.slice(VALIDATOR_AUDIO_FOLDER.length + 1));
  }

  /** To a temp name, then renamed: a crash leaves no half file under the media name. */
  private writeWav(file: string, bytes: Buffer): void {
    mkdirSync(this.audioDir, { recursive: true });
    const temp = join(this.audioDir, `.${file}.tmp`);
    try {
      writeFileSync(temp, bytes);
      renameSync(temp, join(this.audioDir, file));
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  }

  private writeScores(
    scope: string,
    scores: readonly { uid: number; hotkey: string; score: number }[],
    updated: string,
  ): void {
    const upsert = this.db.prepare(
      `INSERT INTO validator_scores (scope, uid, hotkey, score, updated) VALUES (@scope, @uid, @hotkey, @score, @updated)
       ON CONFLICT (scope, uid) DO UPDATE SET hotkey = excluded.hotkey, score = excluded.score, updated = excluded.updated`,
    );
    for (const { uid, hotkey, score } of scores) {
      if (!Number.isFinite(score) || score < 0)
        throw new RangeError(`a moving-average score of ${score} for uid ${uid}`);
      upsert.run({ scope, uid, hotkey, score, updated });
    }
  }
}

const ROUND_STATES: readonly ValidatorRoundState[] = ['querying', 'scoring', 'done', 'interrupted', 'failed'];

function fromRoundRow(row: RoundRow): ValidatorRound {
  return {
    id: row.id,
    started: row.started,
    block: row.block,
    promptId: row.prompt_id,
    prompt: row.prompt,
    promptSource: row.prompt_source,
    referenceName: row.reference_name,
    profile: row.profile === 'fixed' ? 'fixed' : 'bittaudio-1.1.3',
    durationTokens: row.duration_tokens,
    timeoutSeconds: row.timeout_seconds,
    uids: JSON.parse(row.uids) as number[],
    state: ROUND_STATES.find((s) => s === row.state) ?? 'failed',
    ended: row.ended,
    error: row.error,
    referenceWavFile: mediaPath(row.reference_wav_file),
  };
}

function fromAnswerRow(row: AnswerRow): ValidatorAnswer {
  return {
    id: row.id,
    roundId: row.round_id,
    time: row.time,
    uid: row.uid,
    hotkey: row.hotkey,
    statusCode: row.status_code,
    statusMessage: row.status_message,
    route: row.route === 'sealed' || row.route === 'plaintext' ? row.route : null,
    elapsedMs: row.elapsed_ms,
    failure: row.failure,
    samples: row.samples,
    sampleRate: row.sample_rate,
    audioBytes: row.audio_bytes,
    wavFile: mediaPath(row.wav_file),
    metrics: row.metrics === null ? null : (JSON.parse(row.metrics) as JsonValue),
    judgement: row.judgement === null ? null : (JSON.parse(row.judgement) as JsonValue),
    scoreBefore: row.score_before,
    scoreAfter: row.score_after,
    referenceWavFile: mediaPath(row.reference_wav_file),
  };
}

/** A file of the validator folder as the media route names it. */
function mediaPath(file: string | null): string | null {
  return file ? `${VALIDATOR_AUDIO_FOLDER}/${file}` : null;
}
