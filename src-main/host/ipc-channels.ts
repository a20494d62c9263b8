/**
 * IPC channel names, shared by the main process and the preload. No imports: the preload runs
 * sandboxed and may load nothing from Node.
 */
export const IPC_HELLO = 'bittaudio:hello';
export const IPC_EVENT = 'bittaudio:event';
export const ipcCommandChannel = (command: string): string => `bittaudio:command:${command}`;
