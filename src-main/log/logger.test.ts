import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src-shared/schemas/logs.js';
import { LogRoot, formatLogLine } from './logger.js';
import { REDACTED, redactFields } from './redact.js';

describe('redactFields', () => {
  it('replaces secret-looking fields at any depth', () => {
    const out = redactFields({
      wallet: 'default',
      password: 'hunter2',
      nested: { mnemonic: 'abandon abandon', list: [{ privateKey: '0x01', ok: 1 }] },
      Authorization: 'Bearer abc',
      seedHex: '0xff',
      apiKey: 'k',
    });
    expect(out).toEqual({
      wallet: 'default',
      password: REDACTED,
      nested: { mnemonic: REDACTED, list: [{ privateKey: REDACTED, ok: 1 }] },
      Authorization: REDACTED,
      seedHex: REDACTED,
      apiKey: REDACTED,
    });
    expect(JSON.stringify(out)).not.toMatch(/hunter2|abandon|0x01|abc|0xff/);
  });

  it('turns values JSON cannot hold into readable ones and survives cycles', () => {
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic['self'] = cyclic;
    expect(
      redactFields({
        big: 10n ** 20n,
        err: new TypeError('bad'),
        bytes: new Uint8Array(4),
        nan: Number.NaN,
        gone: undefined,
        cyclic,
      }),
    ).toEqual({
      big: '100000000000000000000',
      err: { name: 'TypeError', message: 'bad' },
      bytes: '<4 bytes>',
      nan: 'NaN',
      cyclic: { n: 1, self: '[circular]' },
    });
  });
});

describe('LogRoot', () => {
  function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'info') {
    const lines: Omit<LogEntry, 'id'>[] = [];
    const root = new LogRoot(
      (line) => lines.push(line),
      level,
      () => new Date('2026-11-25T12:00:00.000Z'),
    );
    return { root, lines };
  }

  it('drops lines below the threshold and follows a changed threshold', () => {
    const { root, lines } = capture('info');
    const log = root.logger('engine');
    log.debug('hidden');
    log.info('shown');
    root.level = 'error';
    log.warn('hidden too');
    log.error('shown too');
    expect(lines.map((l) => l.message)).toEqual(['shown', 'shown too']);
  });

  it('names child sources, stamps time and redacts fields', () => {
    const { root, lines } = capture();
    root.logger('host').child('server').info('listening', { port: 1, token: 'secret-token' });
    expect(lines[0]).toEqual({
      time: '2026-11-25T12:00:00.000Z',
      level: 'info',
      source: 'host.server',
      message: 'listening',
      fields: { port: 1, token: REDACTED },
    });
    const [line] = lines;
    if (!line) throw new Error('nothing was logged');
    expect(formatLogLine(line)).toBe(
      '2026-11-25T12:00:00.000Z INFO  [host.server] listening {"port":1,"token":"[redacted]"}',
    );
  });
});
