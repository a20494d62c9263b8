import type { BrowserWindowConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { NeuronStateSchema, type NeuronState } from '../../../src-shared/schemas/neuron.js';
import { APP_ENTRY } from './policies.js';
import { closeAction, mainWindowOptions, openMainWindow, type WindowConstructor } from './window.js';

describe('closing the window', () => {
  it('hides the window while the neuron works and a tray icon can bring it back', () => {
    for (const neuronState of ['running', 'starting', 'stopping'] as const) {
      expect(closeAction({ quitting: false, trayShown: true, neuronState }), neuronState).toBe('hide');
    }
  });

  it('closes (and so quits) when the neuron is at rest', () => {
    for (const neuronState of ['stopped', 'failed'] as const) {
      expect(closeAction({ quitting: false, trayShown: true, neuronState }), neuronState).toBe('close');
    }
  });

  it('always closes when quitting, or when there is no tray to come back through', () => {
    for (const neuronState of NeuronStateSchema.options) {
      expect(closeAction({ quitting: true, trayShown: true, neuronState })).toBe('close');
      expect(closeAction({ quitting: false, trayShown: false, neuronState })).toBe('close');
    }
  });

  it('opens hidden until ready, with the secure preferences and the app icon', () => {
    const options = mainWindowOptions('/app/preload.cjs', '/app/icon.png');
    expect(options).toMatchObject({ show: false, icon: '/app/icon.png' });
    expect(options.webPreferences).toMatchObject({
      preload: '/app/preload.cjs',
      sandbox: true,
      contextIsolation: true,
    });
    expect(mainWindowOptions('/p.cjs', undefined)).not.toHaveProperty('icon');
  });
});

describe('the main window', () => {
  /** A stand-in for BrowserWindow that records what the shell asked of it. */
  class FakeWindow {
    static made: FakeWindow[] = [];
    readonly calls: string[] = [];
    readonly listeners = new Map<string, (event: { preventDefault(): void }) => void>();
    constructor(readonly options: BrowserWindowConstructorOptions) {
      FakeWindow.made.push(this);
    }
    once(event: string, listener: () => void): void {
      if (event === 'ready-to-show') listener();
    }
    on(event: string, listener: (event: { preventDefault(): void }) => void): void {
      this.listeners.set(event, listener);
    }
    show(): void {
      this.calls.push('show');
    }
    hide(): void {
      this.calls.push('hide');
    }
    loadURL(url: string): Promise<void> {
      this.calls.push(`load ${url}`);
      return Promise.resolve();
    }
    close(): boolean {
      let prevented = false;
      this.listeners.get('close')?.({ preventDefault: () => (prevented = true) });
      return !prevented;
    }
  }

  it('hides instead of closing while the miner runs, and closes once it stopped', () => {
    let neuronState: NeuronState = 'running';
    let hidden = 0;
    openMainWindow(FakeWindow as unknown as WindowConstructor, {
      preloadPath: '/p.cjs',
      closeContext: () => ({ quitting: false, trayShown: true, neuronState }),
      onHidden: () => hidden++,
    });
    const window = FakeWindow.made.at(-1);
    expect(window?.calls).toEqual(['show', `load ${APP_ENTRY}`]);
    expect(window?.close()).toBe(false);
    expect(window?.calls.at(-1)).toBe('hide');
    expect(hidden).toBe(1);
    neuronState = 'stopped';
    expect(window?.close()).toBe(true);
    expect(hidden).toBe(1);
  });

  it('stays hidden when started at login', () => {
    openMainWindow(FakeWindow as unknown as WindowConstructor, {
      preloadPath: '/p.cjs',
      show: false,
      closeContext: () => ({ quitting: false, trayShown: true, neuronState: 'stopped' }),
    });
    expect(FakeWindow.made.at(-1)?.calls).toEqual([`load ${APP_ENTRY}`]);
  });
});
