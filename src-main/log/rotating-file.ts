/**
 * Structured logs in the data folder: one JSON object a line in `<data>/logs/bittaudio.log`,
 * rotated when it passes a size (bittaudio.log.1 is the newest old one, the oldest beyond `keep`
 * is removed). Lines are written synchronously so a crash loses nothing already logged; log
 * volume is low (a few lines per request), so the cost is small. Fields arrive redacted (LogRoot).
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEntry } from '../../src-shared/schemas/logs.js';

export interface RotatingLogFileOptions {
  /** Rotate when the file would pass this many bytes. Default 10 MiB. */
  maxBytes?: number;
  /** Old files kept beside the current one. Default 5. */
  keep?: number;
  /** File name inside the folder. Default bittaudio.log. */
  name?: string;
}

export class RotatingLogFile {
  readonly path: string;
  private fd: number | null = null;
  private size = 0;
  private readonly maxBytes: number;
  private readonly keep: number;
  /** After a write error (disk full, folder gone) the file is given up, once, not every line. */
  private failed = false;

  constructor(
    readonly dir: string,
    options: RotatingLogFileOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.keep = options.keep ?? 5;
    if (!(this.maxBytes > 0) || !Number.isInteger(this.keep) || this.keep < 0) {
      throw new RangeError('maxBytes must be positive and keep a whole number >= 0');
    }
    this.path = join(dir, options.name ?? 'bittaudio.log');
  }

  /** Appends one line; returns false when the file could not be written (the caller logs elsewhere). */
  write(line: Omit<LogEntry, 'id'>): boolean {
    if (this.failed) return false;
    try {
      const bytes = Buffer.from(`${JSON.stringify(line)}\n`);
      const fd = this.open();
      if (this.size > 0 && this.size + bytes.length > this.maxBytes) this.rotate();
      writeSync(this.fd ?? fd, bytes);
      this.size += bytes.length;
      return true;
    } catch {
      this.failed = true;
      this.close();
      return false;
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private open(): number {
    if (this.fd !== null) return this.fd;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.fd = openSync(this.path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
    return this.fd;
  }

  private rotate(): void {
    this.close();
    const old = (n: number): string => `${this.path}.${n}`;
    if (this.keep === 0) {
      rmSync(this.path, { force: true });
    } else {
      rmSync(old(this.keep), { force: true });
      for (let n = this.keep - 1; n >= 1; n--) if (existsSync(old(n))) renameSync(old(n), old(n + 1));
      renameSync(this.path, old(1));
    }
    this.open();
  }
}
