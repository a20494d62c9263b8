/**
 * A prompt set's rows, read from the layouts the reference's sets use on the hub:
 *
 * - `data/*.parquet` (how `datasets` uploads `etechgrid/ttm-validation-dataset`): a prompt column
 *   (`Prompts`) and, when there are reference clips, an audio column (`File_Path`) whose values
 *   are `{bytes, path}` structs holding the clip's WAV bytes. Read with hyparquet: only the prompt
 *   column up front, and one row of the audio column when a round draws it; each read in a worker
 *   thread with a time and memory bound (parquet-read.ts), since a damaged file can make the
 *   decoder run without end.
 * - `metadata.csv` + audio files (the hub's audiofolder layout): a prompt column and a `file_name`
 *   column naming each clip relative to the metadata file.
 * - `*.csv` with prompts only (`etechgrid/prompts_for_TTM`, column `text`), or a header-less
 *   single-column CSV like the reference's local `ttm_prompts.csv`. Read as a stream, keeping
 *   only the prompt column, since the hub set holds some 300 000 rows.
 *
 * Column names are matched without regard to case. Every value read is checked before use.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse';
import { z } from 'zod';
import { decodeAudio, type DecodedAudio } from '../../audio/decode.js';
import { safeRelativePath, type DatasetFiles } from './dataset-files.js';
import { PromptSetError } from './errors.js';
import { parquetColumn, parquetColumnNames, type ParquetReadLimits } from './parquet-read.js';

export const PROMPT_COLUMNS = ['prompts', 'prompt', 'text', 'caption', 'description'] as const;
/** Parquet: the audio feature's column. */
export const AUDIO_COLUMNS = ['file_path', 'audio'] as const;
/** metadata.csv: the column naming each clip. */
export const FILE_COLUMNS = ['file_name', 'file_path', 'filename', 'audio', 'path'] as const;

export type ReferenceClip = DecodedAudio & { readonly name: string };

export interface PromptTable {
  /** E.g. "data/*.parquet (2 files)", for the log. */
  readonly layout: string;
  readonly size: number;
  /** True when rows carry reference clips. */
  readonly hasReferences: boolean;
  /** The raw prompt of a row (before the prompt rules), '' when the row has none. */
  prompt(row: number): string;
  /** Stable within the set: the file and row, or the clip's file name. */
  rowId(row: number): string;
  /** The row's reference clip; null for a prompt-only set. Throws for a missing or unreadable clip. */
  reference(row: number, signal?: AbortSignal): Promise<ReferenceClip | null>;
}

function findColumn(names: readonly string[], candidates: readonly string[]): string | null {
  for (const candidate of candidates) {
    const found = names.find((name) => name.trim().toLowerCase() === candidate);
    if (found !== undefined) return found;
  }
  return null;
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return '';
}

/** Opens the set's table, choosing the layout from its file list. `parquet` bounds each Parquet read. */
export async function openPromptTable(
  files: DatasetFiles,
  signal?: AbortSignal,
  parquet: ParquetReadLimits = {},
): Promise<PromptTable> {
  const paths = await files.list(signal);
  const parquetPaths = paths.filter((path) => path.toLowerCase().endsWith('.parquet'));
  const underData = parquetPaths.filter((path) => path.startsWith('data/'));
  if (parquetPaths.length > 0)
    return ParquetTable.open(files, underData.length > 0 ? underData : parquetPaths, parquet, signal);
  const metadata = paths.find((path) => path === 'metadata.csv' || path === 'data/metadata.csv');
  if (metadata !== undefined) return MetadataCsvTable.open(files, metadata, signal);
  const csv = paths.filter((path) => path.toLowerCase().endsWith('.csv'));
  if (csv.length > 0) return PromptCsvTable.open(files, csv, signal);
  throw new PromptSetError(
    `${files.label} holds no prompt set: expected data/*.parquet, metadata.csv with audio files, or a CSV of prompts.`,
  );
}

/** Global row → (file, row in file), for sets split over several files. */
class RowIndex {
  private readonly starts: number[] = [];
  size = 0;

  add(count: number): void {
    this.starts.push(this.size);
    this.size += count;
  }

  locate(row: number): { file: number; row: number } {
    if (!Number.isInteger(row) || row < 0 || row >= this.size) throw new RangeError(`no row ${row}`);
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= row) lo = mid;
      else hi = mid - 1;
    }
    return { file: lo, row: row - (this.starts[lo] ?? 0) };
  }
}

// An audio cell as `datasets` writes its Audio feature, or plain bytes, or a path.
const AudioCellSchema = z.union([
  z.instanceof(Uint8Array),
  z.string().min(1),
  z.object({ bytes: z.instanceof(Uint8Array).nullish(), path: z.string().nullish() }),
]);

interface ParquetFile {
  path: string;
  /** The file on disk, read again (one row) for each reference clip. */
  local: string;
  prompts: string[];
}

/** A read's failure as the set's error, naming the file; an abort stays an abort. */
function parquetFailure(what: string, error: unknown, signal?: AbortSignal): unknown {
  if (signal?.aborted) return error;
  return new PromptSetError(`${what}: ${(error as Error).message}.`, { cause: error });
}

class ParquetTable implements PromptTable {
  readonly hasReferences: boolean;
  readonly layout: string;

  private constructor(
    private readonly files: DatasetFiles,
    private readonly parts: readonly ParquetFile[],
    private readonly index: RowIndex,
    private readonly audioColumn: string | null,
    private readonly limits: ParquetReadLimits,
  ) {
    this.hasReferences = audioColumn !== null;
    this.layout = parts.length === 1 ? (parts[0]?.path ?? '') : `${parts.length} Parquet files`;
  }

  static async open(
    files: DatasetFiles,
    paths: readonly string[],
    limits: ParquetReadLimits,
    signal?: AbortSignal,
  ): Promise<ParquetTable> {
    const parts: ParquetFile[] = [];
    const index = new RowIndex();
    let audioColumn: string | null | undefined;
    for (const path of [...paths].sort()) {
      signal?.throwIfAborted();
      const local = await files.localPath(path, signal);
      const where = `${files.label}/${path}`;
      let names: string[];
      try {
        const found = await parquetColumnNames(local, limits, signal);
        // A damaged footer can decode into a schema tree that does not hold together.
        if (found.some((name) => name === null)) throw new Error('a column has no name');
        names = found as string[];
      } catch (error) {
        throw parquetFailure(`${where} is not a readable Parquet file`, error, signal);
      }
      const promptColumn = findColumn(names, PROMPT_COLUMNS);
      if (promptColumn === null) {
        throw new PromptSetError(
          `${where} has no prompt column (looked for ${PROMPT_COLUMNS.join(', ')}; it has ${names.join(', ')}).`,
        );
      }
      // Every file of a set must agree on whether rows carry clips.
      const audio = findColumn(names, AUDIO_COLUMNS);
      if (audioColumn !== undefined && (audioColumn === null) !== (audio === null)) {
        throw new PromptSetError(`${where} differs from the set's other files: only some have an audio column.`);
      }
      audioColumn = audio;
      let values: unknown[];
      try {
        values = await parquetColumn(local, promptColumn, null, limits, signal);
      } catch (error) {
        throw parquetFailure(`${where}: the prompt column cannot be read`, error, signal);
      }
      const prompts = values.map(asText);
      index.add(prompts.length);
      parts.push({ path, local, prompts });
    }
    if (index.size === 0) throw new PromptSetError(`${files.label} has no rows.`);
    return new ParquetTable(files, parts, index, audioColumn ?? null, limits);
  }

  get size(): number {
    return this.index.size;
  }

  prompt(row: number): string {
    const at = this.index.locate(row);
    return this.parts[at.file]?.prompts[at.row] ?? '';
  }

  rowId(row: number): string {
    const at = this.index.locate(row);
    return `${this.parts[at.file]?.path ?? ''}#${at.row}`;
  }

  async reference(row: number, signal?: AbortSignal): Promise<ReferenceClip | null> {
    const column = this.audioColumn;
    if (column === null) return null;
    const at = this.index.locate(row);
    const part = this.parts[at.file];
    if (part === undefined) throw new RangeError(`no row ${row}`);
    const where = `${this.files.label}/${part.path} row ${at.row}`;
    let cell: unknown;
    try {
      const values = await parquetColumn(
        part.local,
        column,
        { rowStart: at.row, rowEnd: at.row + 1 },
        this.limits,
        signal,
      );
      cell = values[0];
    } catch (error) {
      throw parquetFailure(`${where}: the audio column cannot be read`, error, signal);
    }
    const parsed = AudioCellSchema.safeParse(cell);
    if (!parsed.success) throw new PromptSetError(`${where} has no reference clip.`);
    const value = parsed.data;
    if (value instanceof Uint8Array) return decodeClip(value, `${this.rowId(row)}.wav`, where);
    const path = typeof value === 'string' ? value : (value.path ?? null);
    const bytes = typeof value === 'string' ? null : (value.bytes ?? null);
    const name = path ?? `${this.rowId(row)}.wav`;
    if (bytes !== null && bytes.byteLength > 0) return decodeClip(bytes, name, where);
    if (path === null) throw new PromptSetError(`${where} has no reference clip.`);
    // Only the path was stored: the clip is a file of the set, next to the data folder's parent.
    const relative = safeRelativePath(path, where);
    let clip: Uint8Array;
    try {
      clip = await readFile(await this.files.localPath(relative, signal));
    } catch (error) {
      if (error instanceof PromptSetError || signal?.aborted) throw error;
      throw new PromptSetError(`${where}: the clip ${relative} cannot be read: ${(error as Error).message}.`, {
        cause: error,
      });
    }
    return decodeClip(clip, path, where);
  }
}

async function decodeClip(bytes: Uint8Array, name: string, where: string): Promise<ReferenceClip> {
  try {
    return { ...(await decodeAudio(bytes)), name };
  } catch (error) {
    throw new PromptSetError(`${where}: the reference clip cannot be decoded: ${(error as Error).message}.`, {
      cause: error,
    });
  }
}

/** CSV records from a local file, streamed. */
async function* csvRecords(path: string): AsyncGenerator<string[]> {
  const parser = createReadStream(path).pipe(
    parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: true, relax_quotes: true }),
  );
  for await (const record of parser as AsyncIterable<unknown>) {
    if (Array.isArray(record)) yield record.map((cell) => (typeof cell === 'string' ? cell : ''));
  }
}

function csvError(where: string, error: unknown): PromptSetError {
  return new PromptSetError(`${where} is not a readable CSV file: ${(error as Error).message}.`, { cause: error });
}

class PromptCsvTable implements PromptTable {
  readonly hasReferences = false;
  readonly layout: string;

  private constructor(
    private readonly parts: readonly { path: string; prompts: string[] }[],
    private readonly index: RowIndex,
  ) {
    this.layout = parts.length === 1 ? (parts[0]?.path ?? '') : `${parts.length} CSV files`;
  }

  static async open(files: DatasetFiles, paths: readonly string[], signal?: AbortSignal): Promise<PromptCsvTable> {
    const parts: { path: string; prompts: string[] }[] = [];
    const index = new RowIndex();
    for (const path of [...paths].sort()) {
      const local = await files.localPath(path, signal);
      const where = `${files.label}/${path}`;
      const prompts: string[] = [];
      let column: number | null = null;
      try {
        for await (const record of csvRecords(local)) {
          signal?.throwIfAborted();
          if (column === null) {
            const found = findColumn(record, PROMPT_COLUMNS);
            if (found !== null) {
              column = record.indexOf(found);
              continue;
            }
            // No header that names prompts: a one-column file is a bare list (the reference's ttm_prompts.csv).
            if (record.length !== 1) {
              throw new PromptSetError(
                `${where} has no prompt column (looked for ${PROMPT_COLUMNS.join(', ')}; its header is ${record.join(', ')}).`,
              );
            }
            column = 0;
          }
          prompts.push(record[column] ?? '');
        }
      } catch (error) {
        if (error instanceof PromptSetError || signal?.aborted) throw error;
        throw csvError(where, error);
      }
      index.add(prompts.length);
      parts.push({ path, prompts });
    }
    if (index.size === 0) throw new PromptSetError(`${files.label} has no prompts.`);
    return new PromptCsvTable(parts, index);
  }

  get size(): number {
    return this.index.size;
  }

  prompt(row: number): string {
    const at = this.index.locate(row);
    return this.parts[at.file]?.prompts[at.row] ?? '';
  }

  rowId(row: number): string {
    const at = this.index.locate(row);
    return `${this.parts[at.file]?.path ?? ''}#${at.row}`;
  }

  reference(): Promise<null> {
    return Promise.resolve(null);
  }
}

class MetadataCsvTable implements PromptTable {
  readonly hasReferences = true;
  readonly layout: string;

  private constructor(
    private readonly files: DatasetFiles,
    private readonly metadataPath: string,
    private readonly rows: readonly { prompt: string; file: string }[],
  ) {
    this.layout = `${metadataPath} + audio files`;
  }

  static async open(files: DatasetFiles, metadataPath: string, signal?: AbortSignal): Promise<MetadataCsvTable> {
    const local = await files.localPath(metadataPath, signal);
    const where = `${files.label}/${metadataPath}`;
    const rows: { prompt: string; file: string }[] = [];
    let columns: { prompt: number; file: number } | null = null;
    try {
      for await (const record of csvRecords(local)) {
        if (columns === null) {
          const prompt = findColumn(record, PROMPT_COLUMNS);
          const file = findColumn(record, FILE_COLUMNS);
          if (prompt === null || file === null) {
            throw new PromptSetError(
              `${where} needs a prompt column (${PROMPT_COLUMNS.join(', ')}) and a file column (${FILE_COLUMNS.join(', ')}); its header is ${record.join(', ')}.`,
            );
          }
          columns = { prompt: record.indexOf(prompt), file: record.indexOf(file) };
          continue;
        }
        rows.push({ prompt: record[columns.prompt] ?? '', file: record[columns.file] ?? '' });
      }
    } catch (error) {
      if (error instanceof PromptSetError) throw error;
      throw csvError(where, error);
    }
    if (rows.length === 0) throw new PromptSetError(`${where} has no rows.`);
    return new MetadataCsvTable(files, metadataPath, rows);
  }

  get size(): number {
    return this.rows.length;
  }

  prompt(row: number): string {
    return this.rows[row]?.prompt ?? '';
  }

  rowId(row: number): string {
    return this.rows[row]?.file ?? `${this.metadataPath}#${row}`;
  }

  async reference(row: number, signal?: AbortSignal): Promise<ReferenceClip> {
    const entry = this.rows[row];
    if (entry === undefined) throw new RangeError(`no row ${row}`);
    const where = `${this.files.label}/${this.metadataPath} row ${row}`;
    // audiofolder: file names are relative to the metadata file's folder.
    const folder = this.metadataPath.includes('/')
      ? this.metadataPath.slice(0, this.metadataPath.lastIndexOf('/') + 1)
      : '';
    const path = `${folder}${safeRelativePath(entry.file, where)}`;
    let bytes: Uint8Array;
    try {
      bytes = await readFile(await this.files.localPath(path, signal));
    } catch (error) {
      if (error instanceof PromptSetError || signal?.aborted) throw error;
      throw new PromptSetError(`${where}: the clip ${path} cannot be read: ${(error as Error).message}.`, {
        cause: error,
      });
    }
    return decodeClip(bytes, path, where);
  }
}
