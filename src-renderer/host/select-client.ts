/**
 * Picks the transport: the preload bridge inside the desktop app, else the daemon's WebSocket.
 * This is the only module that knows both transports exist.
 */
import type { ElectronBridge, HostClient } from '../../src-shared/api/client.js';
import { ElectronHostClient } from './electron-client.js';
import { findToken } from './token.js';
import type { TokenEnvironment } from './token.js';
import { WebSocketHostClient } from './websocket-client.js';

export type ClientSelection = { kind: 'client'; client: HostClient } | { kind: 'no-token'; reason: string | null };

/** A bridge is used only if it looks like one; a stray global must not be called blindly. */
function findBridge(win: Window): ElectronBridge | null {
  const candidate = (win as Window & { bittaudio?: unknown }).bittaudio;
  if (typeof candidate !== 'object' || candidate === null) return null;
  const bridge = candidate as Partial<ElectronBridge>;
  if (
    typeof bridge.hello !== 'function' ||
    typeof bridge.onEvent !== 'function' ||
    typeof bridge.commands !== 'object'
  ) {
    return null;
  }
  return candidate as ElectronBridge;
}

function storageOf(win: Window): Storage | null {
  try {
    return win.localStorage;
  } catch {
    // Reading localStorage itself throws where storage is blocked.
    return null;
  }
}

export function selectClient(win: Window & typeof globalThis): ClientSelection {
  const bridge = findBridge(win);
  if (bridge !== null) return { kind: 'client', client: new ElectronHostClient(bridge) };

  const env: TokenEnvironment = { location: win.location, history: win.history, storage: storageOf(win) };
  const token = findToken(env);
  if (token.kind === 'missing') return { kind: 'no-token', reason: null };
  if (token.kind === 'invalid') return { kind: 'no-token', reason: token.reason };
  return {
    kind: 'client',
    client: new WebSocketHostClient({
      baseUrl: win.location.origin,
      token: token.token,
      WebSocketImpl: win.WebSocket,
      fetchImpl: win.fetch.bind(win),
    }),
  };
}
