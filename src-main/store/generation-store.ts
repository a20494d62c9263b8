/**
 * Every generation request a neuron handled, in SQLite, with its audio as a WAV file beside the
 * database (`<data>/generations/<id>.wav`), so the history survives a crash or a restart. A row
 * is written first and the WAV after it, atomically (temp file and rename): a crash in between
 * leaves a row without audio, never a half-written file.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav } from '../audio/wav.js';
import type { Db } from './database.js';

export interface GenerationRecord {
  time: string;
  role: 'miner' | 'validator';
  caller: string;
  prompt: string;
  durationTokens: number;
  model: string | null;
  device: string | null;
  status: 'ok' | 'failed';
  error: string | null;
  queuedMs: number;
  generateMs: number;
}

export interface StoredGeneration extends GenerationRecord {
  id: number;
  audioBytes: number;
  /** Absolute path of the WAV file, or null when there is no audio. */
  wavPath: string | null;
}

interface Row {
  id: number;
  time: string;
  role: string;
  caller: string;
  prompt: string;
  duration_tokens: number;
  model: string | null;
  device: string | null;
  status: string;
  error: string | null;
  queued_ms: number;
  generate_ms: number;
  audio_bytes: number;
  wav_file: string | null;
}

export class GenerationStore {
  readonly audioDir: string;

  constructor(
    private readonly db: Db,
    dataDir: string,
  ) {
    this.audioDir = join(dataDir, 'generations');
  }

  /** Records one request; with audio, also writes its WAV (PCM16 at the given rate). */
  add(record: GenerationRecord, audio?: { samples: Float32Array; sampleRate: number }): StoredGeneration {
    const id = Number(
      this.db
        .prepare(
          `INSERT INTO generations (time, role, caller, prompt, duration_tokens, model, device, status, error, queued_ms, generate_ms)
           VALUES (@time, @role, @caller, @prompt, @durationTokens, @model, @device, @status, @error, @queuedMs, @generateMs)`,
        )
        .run(record).lastInsertRowid,
    );
    if (!audio) return this.get(id) as StoredGeneration;
    const file = `${id}.wav`;
    const bytes = encodeWav(audio.samples, audio.sampleRate, 'pcm16');
    mkdirSync(this.audioDir, { recursive: true });
    const temp = join(this.audioDir, `.${file}.tmp`);
    writeFileSync(temp, bytes);
    renameSync(temp, join(this.audioDir, file));
    this.db.prepare('UPDATE generations SET wav_file = ?, audio_bytes = ? WHERE id = ?').run(file, bytes.length, id);
    return this.get(id) as StoredGeneration;
  }

  get(id: number): StoredGeneration | undefined {
    const row = this.db.prepare('SELECT * FROM generations WHERE id = ?').get(id) as Row | undefined;
    return row ? this.fromRow(row) : undefined;
  }

  /** Newest first; `search` matches the prompt or the caller. */
  list(options: { limit?: number; offset?: number; search?: string } = {}): StoredGeneration[] {
    const search = likePattern(options.search);
    const rows = this.db
      .prepare(
        `SELECT * FROM generations
         WHERE @search IS NULL OR prompt LIKE @search ESCAPE '!' OR caller LIKE @search ESCAPE '!'
         ORDER BY id DESC LIMIT @limit OFFSET @offset`,
      )
      .all({ search, limit: options.limit ?? 50, offset: options.offset ?? 0 }) as Row[];
    return rows.map((row) => this.fromRow(row));
  }

  /** How many rows `list` pages through with the same search. */
  count(options: { search?: string } = {}): number {
    const row = this.db
      .prepare(
        `SELECT COUNT(*) AS n FROM generations
         WHERE @search IS NULL OR prompt LIKE @search ESCAPE '!' OR caller LIKE @search ESCAPE '!'`,
      )
      .get({ search: likePattern(options.search) }) as { n: number };
    return row.n;
  }

  /**
   * Retention: deletes rows older than `maxAgeDays`, then the oldest audio until the WAV files
   * together fit in `maxAudioBytes`. Returns how many rows and files went.
   */
  prune(policy: { maxAgeDays?: number; maxAudioBytes?: number }, now = new Date()): { rows: number; files: number } {
    let rows = 0;
    let files = 0;
    if (policy.maxAgeDays !== undefined) {
      const cutoff = new Date(now.getTime() - policy.maxAgeDays * 86_400_000).toISOString();
      const old = this.db.prepare('SELECT wav_file FROM generations WHERE time < ?').all(cutoff) as Pick<
        Row,
        'wav_file'
      >[];
      for (const { wav_file } of old) if (wav_file && this.removeFile(wav_file)) files++;
      rows = this.db.prepare('DELETE FROM generations WHERE time < ?').run(cutoff).changes;
    }
    if (policy.maxAudioBytes !== undefined) {
      const total = () =>
        (this.db.prepare('SELECT COALESCE(SUM(audio_bytes), 0) AS bytes FROM generations').get() as { bytes: number })
          .bytes;
      while (total() > policy.maxAudioBytes) {
        const oldest = this.db
          .prepare('SELECT id, wav_file FROM generations WHERE wav_file IS NOT NULL ORDER BY id LIMIT 1')
          .get() as Pick<Row, 'id' | 'wav_file'> | undefined;
        if (!oldest?.wav_file) break;
        if (this.removeFile(oldest.wav_file)) files++;
        this.db.prepare('UPDATE generations SET wav_file = NULL, audio_bytes = 0 WHERE id = ?').run(oldest.id);
      }
    }
    return { rows, files };
  }

  private removeFile(file: string): boolean {
    rmSync(join(this.audioDir, file), { force: true });
    return true;
  }

  private fromRow(row: Row): StoredGeneration {
    return {
      id: row.id,
      time: row.time,
      role: row.role === 'validator' ? 'validator' : 'miner',
      caller: row.caller,
      prompt: row.prompt,
      durationTokens: row.duration_tokens,
      model: row.model,
      device: row.device,
      status: row.status === 'ok' ? 'ok' : 'failed',
      error: row.error,
      queuedMs: row.queued_ms,
      generateMs: row.generate_ms,
      audioBytes: row.audio_bytes,
      wavPath: row.wav_file ? join(this.audioDir, row.wav_file) : null,
    };
  }
}

/** A LIKE pattern with '!' as the escape character, so a prompt's own % and _ match literally. */
function likePattern(search: string | undefined): string | null {
  return search ? `%${search.replace(/[!%_]/g, (c) => `!${c}`)}%` : null;
}
