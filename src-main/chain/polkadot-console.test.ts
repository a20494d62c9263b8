import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../log/logger.js';
import { isPolkadotLogLine, routePolkadotConsole } from './polkadot-console.js';

function recordingLog(lines: string[]): Logger {
  const log: Logger = {
    debug: (message) => lines.push(message),
    info: (message) => lines.push(message),
    warn: (message) => lines.push(message),
    error: (message) => lines.push(message),
    child: () => log,
  };
  return log;
}

describe('polkadot.js console lines', () => {
  afterEach(() => vi.restoreAllMocks());

  it('recognises the library logger’s shape only', () => {
    expect(isPolkadotLogLine(['2026-12-02 13:00:00', '        RPC-CORE:', 'subscribeNewHeads(): failed'])).toBe(true);
    expect(isPolkadotLogLine(['2026-12-02 13:00:00', '        API/INIT:', 'x'])).toBe(true);
    expect(isPolkadotLogLine(['bittaudio: something', 'RPC-CORE:'])).toBe(false);
    expect(isPolkadotLogLine(['2026-12-02 13:00:00'])).toBe(false);
  });

  it('sends them to the chain logger instead of stderr, and leaves other output alone', () => {
    // Spied before the router wraps the console, so the spy stands for the real stderr.
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const lines: string[] = [];
    const stop = routePolkadotConsole(recordingLog(lines));
    try {
      console.error(
        '2026-12-02 13:00:00',
        '        RPC-CORE:',
        'subscribeNewHeads(): Header:: disconnected from ws://x: 1000:: Normal Closure',
      );
      console.error('a line of our own');
    } finally {
      stop();
    }
    expect(lines).toEqual([
      'polkadot.js rpc-core: subscribeNewHeads(): Header:: disconnected from ws://x: 1000:: Normal Closure',
    ]);
    expect(stderr.mock.calls).toEqual([['a line of our own']]);
  });
});
