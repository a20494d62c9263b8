import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogRoot } from './logger.js';
import { RotatingLogFile } from './rotating-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bittaudio-logfile-'));
  dirs.push(dir);
  return join(dir, 'logs');
}
const lines = (path: string): Record<string, unknown>[] =>
  readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((text) => JSON.parse(text) as Record<string, unknown>);

describe('RotatingLogFile', () => {
  it('writes one JSON object a line, with redacted fields, and appends across restarts', () => {
    const dir = tempDir();
    const file = new RotatingLogFile(dir);
    const log = new LogRoot((line) => file.write(line)).logger('miner');
    log.info('Miner serving', { uid: 3, password: 'hunter2' });
    file.close();
    const again = new RotatingLogFile(dir);
    new LogRoot((line) => again.write(line)).logger('miner').warn('second run');
    again.close();
    const written = lines(join(dir, 'bittaudio.log'));
    expect(written.map((l) => l['message'])).toEqual(['Miner serving', 'second run']);
    expect(written[0]).toMatchObject({ level: 'info', source: 'miner', fields: { uid: 3 } });
    expect(JSON.stringify(written)).not.toContain('hunter2');
  });

  it('rotates past the size limit and keeps only the newest old files', () => {
    const dir = tempDir();
    const file = new RotatingLogFile(dir, { maxBytes: 300, keep: 2 });
    for (let i = 0; i < 40; i++)
      file.write({ time: '2026-12-02T00:00:00.000Z', level: 'info', source: 't', message: `line ${i}` });
    file.close();
    expect(readdirSync(dir).sort()).toEqual(['bittaudio.log', 'bittaudio.log.1', 'bittaudio.log.2']);
    for (const name of readdirSync(dir)) expect(readFileSync(join(dir, name)).length).toBeLessThanOrEqual(300);
    // Newest last in the current file; .1 holds the lines just before it.
    const current = lines(join(dir, 'bittaudio.log')).map((l) => l['message']);
    expect(current.at(-1)).toBe('line 39');
    const previous = lines(join(dir, 'bittaudio.log.1')).map((l) => l['message']);
    expect(Number(String(previous.at(-1)).split(' ')[1]) + 1).toBe(Number(String(current[0]).split(' ')[1]));
  });

  it('gives the file up after a write error instead of throwing into the caller', () => {
    const dir = tempDir();
    const file = new RotatingLogFile(join(dir, 'nested'));
    // A file where the folder should be: mkdir fails.
    const blocker = new RotatingLogFile(dir, { name: 'nested' });
    expect(blocker.write({ time: 't', level: 'info', source: 's', message: 'm' })).toBe(true);
    blocker.close();
    expect(file.write({ time: 't', level: 'info', source: 's', message: 'm' })).toBe(false);
    expect(file.write({ time: 't', level: 'info', source: 's', message: 'm' })).toBe(false);
  });
});
