import { describe, expect, it } from 'vitest';
import { describeConnection } from './connection-text.js';

const welcome = {
  protocol: 1,
  version: '1.0.0',
  commands: [],
  events: [],
  capabilities: { extensionSigning: true, tray: false, fileDialogs: false },
};

describe('describeConnection', () => {
  it('says Connected only when connected', () => {
    expect(describeConnection({ status: 'connected', welcome }, true).label).toBe('Connected');
    for (const text of [
      describeConnection({ status: 'connecting' }, false).label,
      describeConnection({ status: 'connecting' }, true).label,
      describeConnection({ status: 'disconnected', reason: 'gone', retryInMs: 500 }, true).label,
      describeConnection({ status: 'failed', reason: 'bad token' }, true).label,
    ]) {
      expect(text).not.toContain('Connected');
    }
  });

  it('tells a first attempt from a reconnect', () => {
    expect(describeConnection({ status: 'connecting' }, false).label).toBe('Connecting…');
    expect(describeConnection({ status: 'connecting' }, true).label).toBe('Reconnecting…');
  });

  it('gives the reason when disconnected or failed', () => {
    const lost = describeConnection({ status: 'disconnected', reason: 'socket closed', retryInMs: 2000 }, true);
    expect(lost.label).toContain('Disconnected');
    expect(lost.label).toContain('Reconnecting…');
    expect(lost.label).toContain('2 s');
    expect(lost.detail).toBe('socket closed');
    expect(describeConnection({ status: 'failed', reason: 'token refused' }, true).detail).toBe('token refused');
  });
});
