import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../testing/temp-dir.js';
import { writeFileAtomic, writeFilesAtomic } from './atomic-write.js';
import { WalletError } from './errors.js';

const tempDir = useTempDirs();
const posix = process.platform !== 'win32';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('atomic key file writes', () => {
  it.runIf(posix)('writes files with mode 0600 whatever the umask', async () => {
    const dir = tempDir();
    const old = process.umask(0o000);
    try {
      await writeFileAtomic(join(dir, 'coldkey'), 'secret');
    } finally {
      process.umask(old);
    }
    expect(statSync(join(dir, 'coldkey')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'coldkey'), 'utf8')).toBe('secret');
    expect(readdirSync(dir)).toEqual(['coldkey']);
  });

  it('refuses to replace an existing file, leaving it and everything else untouched', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'coldkeypub.txt'), 'old pub');
    const error = await rejection(
      writeFilesAtomic([
        { path: join(dir, 'coldkey'), data: 'new secret' },
        { path: join(dir, 'coldkeypub.txt'), data: 'new pub' },
      ]),
    );
    expect(error).toBeInstanceOf(WalletError);
    expect((error as WalletError).code).toBe('exists');
    expect((error as WalletError).message).toContain('coldkeypub.txt');
    expect(readdirSync(dir)).toEqual(['coldkeypub.txt']);
    expect(readFileSync(join(dir, 'coldkeypub.txt'), 'utf8')).toBe('old pub');
  });

  it('replaces files when asked to', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'hotkey'), 'old');
    await writeFileAtomic(join(dir, 'hotkey'), 'new', { overwrite: true });
    expect(readFileSync(join(dir, 'hotkey'), 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['hotkey']);
  });

  it('leaves no partial or temp file when a later file of the set cannot be committed', async () => {
    const dir = tempDir();
    // A non-empty folder where the pub file should go makes its rename fail after the key's.
    mkdirSync(join(dir, 'coldkeypub.txt'));
    writeFileSync(join(dir, 'coldkeypub.txt', 'x'), '');
    const error = await rejection(
      writeFilesAtomic(
        [
          { path: join(dir, 'coldkey'), data: 'secret' },
          { path: join(dir, 'coldkeypub.txt'), data: 'pub' },
        ],
        { overwrite: true },
      ),
    );
    expect(error).toBeInstanceOf(Error);
    expect(readdirSync(dir)).toEqual(['coldkeypub.txt']);
  });

  it('leaves nothing behind when the folder does not exist', async () => {
    const dir = tempDir();
    await expect(writeFileAtomic(join(dir, 'missing', 'coldkey'), 'secret')).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
