/**
 * The engine over IPC: one channel per command of the contract plus hello, each handler checking
 * that the sender is the app's own top-level page; engine events go to every window.
 */
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { COMMAND_NAMES } from '../../../src-shared/api/contract.js';
import type { CallResult } from '../../../src-shared/api/envelope.js';
import type { Engine } from '../../engine/engine.js';
import { ELECTRON_CAPABILITIES } from '../capabilities.js';
import { dispatch } from '../dispatch.js';
import { IPC_EVENT, IPC_HELLO, ipcCommandChannel } from '../ipc-channels.js';
import { welcome } from '../server.js';
import { isAppSender } from './policies.js';

export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle'>,
  windows: () => BrowserWindow[],
  engine: Pick<Engine, 'handlers' | 'events' | 'logger'>,
): () => void {
  const log = engine.logger('host.ipc');
  const guard = (event: IpcMainInvokeEvent): CallResult | undefined => {
    if (isAppSender(event.senderFrame)) return undefined;
    log.warn('Refused IPC from a frame that is not the app', { url: event.senderFrame?.url ?? null });
    return { ok: false, error: { code: 'forbidden', message: 'Forbidden: this frame may not use the engine' } };
  };
  ipcMain.handle(IPC_HELLO, (event) => guard(event) ?? { ok: true, output: welcome(ELECTRON_CAPABILITIES) });
  for (const command of COMMAND_NAMES) {
    ipcMain.handle(ipcCommandChannel(command), async (event, input: unknown) => {
      return guard(event) ?? (await dispatch(engine.handlers, command, input, log));
    });
  }
  return engine.events.subscribe(({ event, payload }) => {
    for (const window of windows()) {
      if (!window.isDestroyed()) window.webContents.send(IPC_EVENT, event, payload);
    }
  });
}
