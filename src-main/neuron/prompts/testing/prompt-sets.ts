/**
 * Small prompt sets in the hub's real layouts, written by the tests themselves: Parquet files
 * shaped as `datasets` writes `etechgrid/ttm-validation-dataset` (a `Prompts` string column and a
 * `File_Path` struct of `{bytes, path}` holding WAV bytes, snappy-compressed, several row groups),
 * audiofolder `metadata.csv` + `audio/*.wav`, and prompt-only CSVs like `etechgrid/prompts_for_TTM`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { encodeWavChannels } from '../../../audio/wav.js';
import { sine } from '../../../testing/tones.js';

/** A short WAV clip whose content depends on `seed` (a tone per seed), 16-bit like the dataset's. */
export function testClip(seed: number, options: { channels?: number; rate?: number; seconds?: number } = {}): Buffer {
  const rate = options.rate ?? 8000;
  const frames = Math.round(rate * (options.seconds ?? 0.2));
  const channels = Array.from({ length: options.channels ?? 1 }, (_, c) =>
    sine(rate, 220 + 37 * seed + 11 * c, 0.5, frames, c * 0.3),
  );
  return encodeWavChannels(channels, rate, 'pcm16');
}

export interface ParquetRow {
  prompt: string | null;
  /** The clip's WAV bytes; null for a row without audio; undefined for a file without an audio column. */
  clip?: Uint8Array | null;
  /** The struct's `path` (datasets stores the original file name). */
  path?: string | null;
}

export interface ParquetSetOptions {
  promptColumn?: string;
  audioColumn?: string;
  /** Rows per row group: the reader must find a row in a later group. */
  rowGroupSize?: number;
}

/** A Parquet file of prompt rows; with clips when any row has `clip` set. */
export function parquetSet(rows: readonly ParquetRow[], options: ParquetSetOptions = {}): Uint8Array {
  const promptColumn = options.promptColumn ?? 'Prompts';
  const audioColumn = options.audioColumn ?? 'File_Path';
  const withAudio = rows.some((row) => row.clip !== undefined);
  const columnData = [{ name: promptColumn, data: rows.map((row) => row.prompt) }];
  const schema: Record<string, unknown>[] = [
    { name: 'root', num_children: withAudio ? 2 : 1 },
    { name: promptColumn, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  ];
  if (withAudio) {
    columnData.push({
      name: audioColumn,
      data: rows.map((row, i) =>
        row.clip === null || row.clip === undefined
          ? null
          : { bytes: row.clip, path: row.path === undefined ? `clip_${i}.wav` : row.path },
      ) as never,
    });
    schema.push(
      { name: audioColumn, num_children: 2, repetition_type: 'OPTIONAL' },
      { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
      { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    );
  }
  const buffer = parquetWriteBuffer({
    columnData,
    schema: schema as never,
    rowGroupSize: options.rowGroupSize ?? 1000,
  });
  return new Uint8Array(buffer);
}

/** RFC 4180 quoting, as pandas writes it. */
export function csv(rows: readonly (readonly string[])[]): string {
  const cell = (value: string): string => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return `${rows.map((row) => row.map(cell).join(',')).join('\n')}\n`;
}

/** Writes `path → content` under `root`, creating folders. */
export function writeSet(root: string, files: Record<string, Uint8Array | string>): string {
  for (const [path, data] of Object.entries(files)) {
    const target = join(root, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
  }
  return root;
}
