/**
 * The media route both hosts serve (`/media/generations/<id>.wav` on the daemon,
 * `app://bittaudio/media/…` in Electron): only WAV files of the generation history, whole or by
 * byte range (an <audio> element seeks with `Range` and needs 206 answers), never cached.
 */
import { open, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Generation clips as the store names them: `<id>.wav`, nothing else (no dots, no slashes). */
const GENERATION_FILE = /^generations\/([1-9]\d{0,15})\.wav$/;

/**
 * Validator answers and rounds' reference clips as the validator store names them
 * (`<round>-<uid>-<answer id>.wav`, `<round>-reference.wav`), in `<data>/validator`, the folder
 * beside `<data>/generations`.
 */
const VALIDATOR_FILE = /^validator\/([1-9]\d{0,15}-(?:(?:0|[1-9]\d{0,4})-[1-9]\d{0,15}|reference))\.wav$/;

/**
 * The file for a media path (`generations/<id>.wav`, `validator/<round>-<uid>-<id>.wav` or
 * `validator/<round>-reference.wav`, percent-decoded already or not), inside `mediaDir` (the
 * `<data>/generations` folder) or the validator folder beside it; null for anything else. A strict
 * pattern rather than a path check: there is no name that could climb out of the folder.
 */
export function resolveMediaFile(mediaDir: string, mediaPath: string): string | null {
  const match = GENERATION_FILE.exec(mediaPath);
  if (match) return join(mediaDir, `${match[1]}.wav`);
  const validator = VALIDATOR_FILE.exec(mediaPath);
  return validator ? join(dirname(mediaDir), 'validator', `${validator[1]}.wav`) : null;
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * One `bytes=` range of a file of `size` bytes (RFC 9110 §14.1.2): `a-b`, `a-` or `-n`. Null means
 * "send it all" (no header, several ranges or a syntax we ignore, as the RFC allows);
 * `unsatisfiable` is answered with 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (header === undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return null;
  return { start, end };
}

export interface MediaReply {
  status: 200 | 206 | 404 | 416;
  headers: Record<string, string>;
  /** Null for 404/416 and for HEAD. */
  body: Buffer | null;
}

/** Reads a media file (or the asked range of it) into a reply; the caller adds the security headers. */
export async function readMedia(file: string, options: { range?: string; head?: boolean } = {}): Promise<MediaReply> {
  const noStore = { 'Cache-Control': 'no-store' };
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch {
    return { status: 404, headers: { ...noStore, 'Content-Type': 'text/plain; charset=utf-8' }, body: null };
  }
  const range = parseRange(options.range, size);
  if (range === 'unsatisfiable') {
    return { status: 416, headers: { ...noStore, 'Content-Range': `bytes */${size}` }, body: null };
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const length = Math.max(0, end - start + 1);
  const headers: Record<string, string> = {
    ...noStore,
    'Content-Type': 'audio/wav',
    'Accept-Ranges': 'bytes',
    'Content-Length': String(length),
    ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
  };
  if (options.head) return { status: range ? 206 : 200, headers, body: null };
  const handle = await open(file, 'r');
  try {
    const body = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await handle.read(body, read, length - read, start + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    // A file cut short since the stat (retention ran) sends what is there, with its true length.
    headers['Content-Length'] = String(read);
    return { status: range ? 206 : 200, headers, body: body.subarray(0, read) };
  } finally {
    await handle.close();
  }
}
