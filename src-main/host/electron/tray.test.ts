import { describe, expect, it } from 'vitest';
import type { Alert, NeuronStatus } from '../../../src-shared/schemas/neuron.js';
import { neuronSummary, trayModel, trayTemplate, type TrayAction, type TrayItem } from './tray.js';

function status(overrides: Partial<NeuronStatus> = {}): NeuronStatus {
  return {
    role: 'miner',
    state: 'running',
    hotkey: '5Haibjija79oVxEDbAjMw1n4ZbbRRpcgE4rYZM6o8YR6i2bA',
    uid: 1,
    netuid: 50,
    axon: null,
    model: 'musicgen',
    device: 'cpu',
    worker: { state: 'ready', restarts: 0, lastError: null },
    queue: { queued: 0, running: 0 },
    answered: 12,
    failed: 0,
    chain: null,
    alerts: [],
    error: null,
    ...overrides,
  };
}

const alert: Alert = {
  kind: 'deregistered',
  severity: 'error',
  message: 'Deregistered',
  since: '2026-01-01T00:00:00Z',
};

const action = (items: TrayItem[], name: TrayAction): TrayItem | undefined =>
  items.find((item) => 'action' in item && item.action === name);

describe('tray menu', () => {
  it('offers Stop, not Start, while the miner runs, and says what it does', () => {
    const model = trayModel(status(), { openAtLogin: false });
    expect(model.items[0]).toEqual({ kind: 'label', label: 'Miner running as uid 1 on subnet 50 · 12 answered' });
    expect(action(model.items, 'start')).toMatchObject({ enabled: false });
    expect(action(model.items, 'stop')).toMatchObject({ enabled: true });
    expect(model.tooltip).toBe('BittAudio: Miner running as uid 1 on subnet 50 · 12 answered');
  });

  it('offers Start, not Stop, when the miner is stopped or failed', () => {
    for (const state of ['stopped', 'failed'] as const) {
      const model = trayModel(status({ state }), { openAtLogin: false });
      expect(action(model.items, 'start'), state).toMatchObject({ enabled: true });
      expect(action(model.items, 'stop'), state).toMatchObject({ enabled: false });
    }
  });

  it('offers neither while the miner is stopping or before the engine reported', () => {
    for (const model of [
      trayModel(status({ state: 'stopping' }), { openAtLogin: null }),
      trayModel(null, { openAtLogin: null }),
    ]) {
      expect(action(model.items, 'start')).toMatchObject({ enabled: false });
      expect(action(model.items, 'stop')).toMatchObject({ enabled: false });
      expect(action(model.items, 'open')).toMatchObject({ enabled: true });
      expect(action(model.items, 'quit')).toMatchObject({ enabled: true });
    }
  });

  it('names failures and counts alerts', () => {
    expect(neuronSummary(status({ state: 'failed', error: { code: 'model_failed', message: 'no model' } }))).toBe(
      'Miner failed: no model',
    );
    expect(neuronSummary(status({ state: 'stopped', alerts: [alert] }))).toBe('Miner stopped · 1 alert');
    expect(neuronSummary(status({ alerts: [alert, { ...alert, kind: 'worker_failed' }] }))).toMatch(/· 2 alerts$/);
    expect(neuronSummary(status({ state: 'starting', uid: null }))).toBe('Miner starting on subnet 50…');
  });

  it('shows the start-at-login checkbox only where the desktop supports it', () => {
    expect(action(trayModel(status(), { openAtLogin: true }).items, 'login')).toEqual({
      kind: 'checkbox',
      action: 'login',
      label: 'Start at login',
      checked: true,
    });
    expect(action(trayModel(status(), { openAtLogin: null }).items, 'login')).toBeUndefined();
  });

  it('keeps the tooltip within what desktops show', () => {
    const long = status({ state: 'failed', error: { code: 'x', message: 'y'.repeat(500) } });
    expect(trayModel(long, { openAtLogin: null }).tooltip).toHaveLength(127);
  });

  it('becomes an Electron menu template whose items run their actions', () => {
    const acted: TrayAction[] = [];
    const template = trayTemplate(trayModel(status(), { openAtLogin: false }), (a) => acted.push(a));
    expect(template[0]).toEqual({ label: expect.stringContaining('Miner running'), enabled: false });
    expect(template[1]).toEqual({ type: 'separator' });
    const stop = template.find((item) => item.label === 'Stop miner');
    const login = template.find((item) => item.label === 'Start at login');
    expect(login).toMatchObject({ type: 'checkbox', checked: false });
    const click = (item: typeof stop): void => (item?.click as (() => void) | undefined)?.();
    click(stop);
    click(login);
    expect(acted).toEqual(['stop', 'login']);
  });
});
