import { describe, expect, it } from 'vitest';
import { HostApiError } from '../../src-shared/api/errors.js';
import { DEFAULT_SETTINGS } from '../../src-shared/schemas/settings.js';
import type { CommandHandlers } from '../engine/engine.js';
import { LogRoot } from '../log/logger.js';
import { dispatch } from './dispatch.js';

const status = {
  version: '0.1.0',
  host: 'daemon' as const,
  role: 'idle' as const,
  startedAt: '2026-11-25T00:00:00.000Z',
  uptimeSeconds: 1,
  dataDir: '/tmp/x',
  platform: 'linux-x64',
  nodeVersion: '20',
};

function handlers(overrides: Partial<CommandHandlers> = {}): CommandHandlers {
  return {
    'status.get': () => status,
    'logs.list': (input) => ({
      entries: [{ id: 1, time: 't', level: 'info', source: 's', message: `limit ${input.limit}` }],
    }),
    'settings.get': () => ({ ...DEFAULT_SETTINGS }),
    'settings.update': () => ({ ...DEFAULT_SETTINGS }),
    'gpu.report': () => {
      throw new Error('not used here');
    },
    ...overrides,
  } as CommandHandlers;
}

const errors: string[] = [];
const log = new LogRoot((line) => errors.push(line.message), 'debug').logger('test');

describe('dispatch', () => {
  it('runs a command and fills input defaults from the contract', async () => {
    const result = await dispatch(handlers(), 'logs.list', {}, log);
    expect(result).toEqual({ ok: true, output: { entries: [expect.objectContaining({ message: 'limit 200' })] } });
  });

  it('treats a missing input as an empty object', async () => {
    expect(await dispatch(handlers(), 'status.get', undefined, log)).toEqual({ ok: true, output: status });
  });

  it('refuses an unknown command by name', async () => {
    const result = await dispatch(handlers(), 'wallet.exportMnemonic', {}, log);
    expect(result).toEqual({
      ok: false,
      error: { code: 'unknown_command', message: 'Unknown command "wallet.exportMnemonic"' },
    });
  });

  it('refuses names that only exist on Object.prototype', async () => {
    const result = await dispatch(handlers(), 'constructor', {}, log);
    expect(result.ok === false && result.error.code).toBe('unknown_command');
  });

  it('refuses input that fails the schema, naming each problem, without running the handler', async () => {
    let ran = false;
    const result = await dispatch(
      handlers({ 'logs.list': () => ((ran = true), { entries: [] }) }),
      'logs.list',
      { limit: 'lots', extra: 1 },
      log,
    );
    expect(ran).toBe(false);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid_input');
      expect(result.error.issues?.join('\n')).toMatch(/limit/);
      expect(result.error.issues?.join('\n')).toMatch(/extra/);
    }
  });

  it('passes a HostApiError from a handler through with its code', async () => {
    const result = await dispatch(
      handlers({
        'settings.update': () => {
          throw new HostApiError('invalid_input', 'nope', ['theme: bad']);
        },
      }),
      'settings.update',
      {},
      log,
    );
    expect(result).toEqual({ ok: false, error: { code: 'invalid_input', message: 'nope', issues: ['theme: bad'] } });
  });

  it('turns a crash in a handler into an internal error and logs it', async () => {
    errors.length = 0;
    const result = await dispatch(
      handlers({
        'status.get': () => {
          throw new Error('disk on fire');
        },
      }),
      'status.get',
      {},
      log,
    );
    expect(result).toEqual({ ok: false, error: { code: 'internal', message: 'status.get failed: disk on fire' } });
    expect(errors).toContain('status.get failed');
  });

  it('never lets output that breaks the contract reach a client', async () => {
    const result = await dispatch(
      handlers({ 'status.get': () => ({ ...status, role: 'overlord' }) as unknown as typeof status }),
      'status.get',
      {},
      log,
    );
    expect(result.ok === false && result.error.code).toBe('internal');
  });
});
