/**
 * Runs the real preload bundle the way Electron's sandbox does: a `require` that knows only
 * `electron`. A preload that needs a Node module (or exposes too much) fails here, without an
 * Electron binary.
 */
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { preloadBuild } from '../../scripts/build-options.mjs';
import { COMMAND_NAMES, PROTOCOL_VERSION } from '../../src-shared/api/contract.js';
import type { ElectronBridge } from '../../src-shared/api/client.js';
import { IPC_EVENT, IPC_HELLO, ipcCommandChannel } from './ipc-channels.js';

type Handler = (event: unknown, ...args: unknown[]) => void;

let exposed: Record<string, unknown> = {};
const invoked: { channel: string; args: unknown[] }[] = [];
const listeners = new Map<string, Set<Handler>>();
const required: string[] = [];

beforeAll(async () => {
  const result = await build({ ...preloadBuild, write: false, sourcemap: false, outfile: 'preload.cjs' });
  const code = result.outputFiles?.[0]?.text ?? '';
  const electron = {
    contextBridge: {
      exposeInMainWorld: (key: string, api: unknown) => {
        exposed[key] = api;
      },
    },
    ipcRenderer: {
      invoke: (channel: string, ...args: unknown[]) => {
        invoked.push({ channel, args });
        return Promise.resolve({ ok: true, output: channel });
      },
      on: (channel: string, handler: Handler) =>
        listeners.set(channel, (listeners.get(channel) ?? new Set()).add(handler)),
      off: (channel: string, handler: Handler) => listeners.get(channel)?.delete(handler),
    },
  };
  const sandboxRequire = (name: string): unknown => {
    required.push(name);
    if (name === 'electron') return electron;
    throw new Error(`module not found: ${name} (a sandboxed preload can only require electron)`);
  };
  exposed = {};
  const module = { exports: {} };
  runInNewContext(code, { require: sandboxRequire, module, exports: module.exports, console });
});

describe('preload bridge', () => {
  it('requires nothing but electron', () => {
    expect(new Set(required)).toEqual(new Set(['electron']));
  });

  it('exposes exactly one narrow object: protocol, hello, one function per command, onEvent', () => {
    expect(Object.keys(exposed)).toEqual(['bittaudio']);
    const bridge = exposed['bittaudio'] as ElectronBridge;
    expect(Object.keys(bridge).sort()).toEqual(['commands', 'hello', 'onEvent', 'protocol']);
    expect(bridge.protocol).toBe(PROTOCOL_VERSION);
    expect(Object.keys(bridge.commands).sort()).toEqual([...COMMAND_NAMES].sort());
  });

  it('sends each command on its own channel with its input', async () => {
    const bridge = exposed['bittaudio'] as ElectronBridge;
    await bridge.hello();
    await bridge.commands['logs.list']({ limit: 5 });
    expect(invoked).toEqual([
      { channel: IPC_HELLO, args: [] },
      { channel: ipcCommandChannel('logs.list'), args: [{ limit: 5 }] },
    ]);
  });

  it('hands events to the page without the IPC event object, and unsubscribes', () => {
    const bridge = exposed['bittaudio'] as ElectronBridge;
    const seen: unknown[][] = [];
    const off = bridge.onEvent((...args) => seen.push(args));
    const sender = { sender: 'ipc internals' };
    for (const handler of listeners.get(IPC_EVENT) ?? []) handler(sender, 'status', { role: 'idle' });
    expect(seen).toEqual([['status', { role: 'idle' }]]);
    off();
    expect(listeners.get(IPC_EVENT)?.size).toBe(0);
  });
});
