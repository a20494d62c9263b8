import { describe, expect, it, vi } from 'vitest';
import type { ConnectionState, ElectronBridge } from '../../src-shared/api/client.js';
import { COMMAND_NAMES, PROTOCOL_VERSION } from '../../src-shared/api/contract.js';
import type { HostEvent } from '../../src-shared/api/contract.js';
import type { Welcome } from '../../src-shared/api/envelope.js';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { EngineStatus } from '../../src-shared/schemas/status.js';
import { ElectronHostClient } from './electron-client.js';

const WELCOME: Welcome = {
  protocol: PROTOCOL_VERSION,
  version: '1.0.0',
  commands: [],
  events: [],
  capabilities: { extensionSigning: true, tray: false, fileDialogs: false },
};
const STATUS: EngineStatus = {
  version: '1.0.0',
  host: 'electron',
  role: 'idle',
  startedAt: '2025-01-01T00:00:00.000Z',
  uptimeSeconds: 3,
  dataDir: '/data',
  platform: 'darwin',
  nodeVersion: 'v22.0.0',
};

/** Every command answering "not used here", for a test that calls only a few. */
function unusedCommands(): ElectronBridge['commands'] {
  const unused = async () => ({ ok: false, error: { code: 'internal', message: 'not used here' } });
  return Object.fromEntries(COMMAND_NAMES.map((name) => [name, unused])) as unknown as ElectronBridge['commands'];
}

function fakeBridge(overrides: { hello?: () => Promise<unknown>; statusReply?: unknown; protocol?: number } = {}) {
  let emit: (event: string, payload: unknown) => void = () => undefined;
  const statusGet = vi.fn(async () => overrides.statusReply ?? { ok: true, output: STATUS });
  const bridge: ElectronBridge = {
    protocol: overrides.protocol ?? PROTOCOL_VERSION,
    hello: overrides.hello ?? (async () => ({ ok: true, output: WELCOME })),
    commands: {
      ...unusedCommands(),
      'status.get': statusGet,
      'logs.list': async () => ({ ok: true, output: { entries: [] } }),
      'settings.get': async () => ({ ok: false, error: { code: 'internal', message: 'broken' } }),
      'settings.update': async () => 'not a call result',
      'gpu.report': async () => ({ ok: false, error: { code: 'internal', message: 'not used here' } }),
      'models.list': async () => ({ ok: true, output: [] }),
      'models.download': async () => ({ ok: true, output: { started: true } }),
      'models.cancel': async () => ({ ok: true, output: { cancelled: false } }),
      'models.delete': async () => ({ ok: true, output: { deleted: true } }),
    },
    onEvent: (listener) => {
      emit = listener;
      return () => {
        emit = () => undefined;
      };
    },
  };
  return { bridge, statusGet, emit: (event: string, payload: unknown) => emit(event, payload) };
}

function waitForSettled(client: ElectronHostClient): Promise<ConnectionState> {
  return new Promise((resolve) => {
    if (client.connection.status !== 'connecting') resolve(client.connection);
    else client.onConnection(resolve);
  });
}

describe('ElectronHostClient', () => {
  it('connects with the bridge hello and resolves parsed outputs', async () => {
    const { bridge, statusGet } = fakeBridge();
    const client = new ElectronHostClient(bridge);

    expect(await waitForSettled(client)).toEqual({ status: 'connected', welcome: WELCOME });
    await expect(client.call('status.get', {})).resolves.toEqual(STATUS);
    expect(statusGet).toHaveBeenCalledWith({});
  });

  it('turns ok:false and malformed replies into HostApiErrors', async () => {
    const client = new ElectronHostClient(fakeBridge().bridge);
    await waitForSettled(client);

    await expect(client.call('settings.get', {})).rejects.toMatchObject({ code: 'internal', message: 'broken' });
    await expect(client.call('settings.update', {})).rejects.toBeInstanceOf(HostApiError);
  });

  it('rejects an output that breaks the contract', async () => {
    const client = new ElectronHostClient(fakeBridge({ statusReply: { ok: true, output: { version: 1 } } }).bridge);
    await waitForSettled(client);

    await expect(client.call('status.get', {})).rejects.toMatchObject({ code: 'internal' });
  });

  it('fails on a protocol mismatch and refuses calls', async () => {
    const client = new ElectronHostClient(
      fakeBridge({ hello: async () => ({ ok: true, output: { ...WELCOME, protocol: PROTOCOL_VERSION + 1 } }) }).bridge,
    );

    const state = await waitForSettled(client);
    expect(state.status).toBe('failed');
    await expect(client.call('status.get', {})).rejects.toMatchObject({ code: 'not_connected' });
  });

  it('fails with the engine’s own words when the hello is refused', async () => {
    const client = new ElectronHostClient(
      fakeBridge({
        hello: async () => ({
          ok: false,
          error: { code: 'forbidden', message: 'Forbidden: this frame may not use the engine' },
        }),
      }).bridge,
    );
    const state = await waitForSettled(client);
    expect(state).toEqual({ status: 'failed', reason: 'Forbidden: this frame may not use the engine' });
  });

  it('fails when the hello is a bare Welcome instead of a CallResult', async () => {
    const client = new ElectronHostClient(fakeBridge({ hello: async () => WELCOME }).bridge);
    expect((await waitForSettled(client)).status).toBe('failed');
  });

  it('delivers valid events only', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { bridge, emit } = fakeBridge();
    const client = new ElectronHostClient(bridge);
    const events: HostEvent[] = [];
    client.onEvent((event) => events.push(event));

    emit('status', { ...STATUS, uptimeSeconds: 'soon' });
    emit('nonsense', {});
    emit('status', STATUS);

    expect(events).toEqual([{ event: 'status', payload: STATUS }]);
    expect(warn).toHaveBeenCalledTimes(2);
    warn.mockRestore();
    client.close();
    emit('status', STATUS);
    expect(events).toHaveLength(1);
  });
});
