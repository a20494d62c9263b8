/**
 * The preload bridge: runs sandboxed, exposes one function per command of the contract and an
 * event subscription, nothing else. Never ipcRenderer itself, never a generic invoke(channel).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { COMMAND_NAMES, PROTOCOL_VERSION } from '../../src-shared/api/contract.js';
import type { ElectronBridge } from '../../src-shared/api/client.js';
import { IPC_EVENT, IPC_HELLO, ipcCommandChannel } from './ipc-channels.js';

const commands = Object.fromEntries(
  COMMAND_NAMES.map((command) => [command, (input: unknown) => ipcRenderer.invoke(ipcCommandChannel(command), input)]),
) as unknown as ElectronBridge['commands'];

const bridge: ElectronBridge = {
  protocol: PROTOCOL_VERSION,
  hello: () => ipcRenderer.invoke(IPC_HELLO),
  commands,
  onEvent: (listener) => {
    // The IpcRendererEvent (with its sender) never reaches the page.
    const handler = (_event: IpcRendererEvent, name: unknown, payload: unknown): void => {
      if (typeof name === 'string') listener(name, payload);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.off(IPC_EVENT, handler);
    };
  },
};

contextBridge.exposeInMainWorld('bittaudio', bridge);
