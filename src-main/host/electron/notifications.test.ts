import { describe, expect, it } from 'vitest';
import type { Alert, NeuronStatus } from '../../../src-shared/schemas/neuron.js';
import { alertNotification, alertNotifier, newAlerts } from './notifications.js';

const alert = (kind: Alert['kind'], severity: Alert['severity'], since = '2026-01-01T00:00:00Z'): Alert => ({
  kind,
  severity,
  message: `${kind} happened`,
  since,
});

const withAlerts = (alerts: Alert[]): NeuronStatus => ({
  role: 'miner',
  state: 'running',
  hotkey: null,
  uid: 1,
  netuid: 50,
  axon: null,
  model: null,
  device: null,
  worker: { state: 'ready', restarts: 0, lastError: null },
  queue: { queued: 0, running: 0 },
  answered: 0,
  failed: 0,
  chain: null,
  alerts,
  error: null,
});

describe('alert notifications', () => {
  it('finds the alerts that are new, by kind and first-raised time', () => {
    const a = alert('deregistered', 'error');
    const b = alert('worker_failed', 'error');
    expect(newAlerts([], [a, b])).toEqual([a, b]);
    expect(newAlerts([a], [a, b])).toEqual([b]);
    expect(newAlerts([a, b], [a])).toEqual([]);
    // The same kind raised again later is news.
    const again = alert('deregistered', 'error', '2026-01-02T00:00:00Z');
    expect(newAlerts([a], [again])).toEqual([again]);
  });

  it('notifies each warning or error once, never infos', () => {
    const notify = alertNotifier();
    const immunity = alert('immunity_ending', 'warning');
    const info = alert('axon_not_served', 'info');
    expect(notify(withAlerts([immunity, info]))).toEqual([alertNotification(immunity)]);
    expect(notify(withAlerts([immunity, info]))).toEqual([]);
    const failed = alert('worker_failed', 'error');
    expect(notify(withAlerts([immunity, failed]))).toEqual([alertNotification(failed)]);
    // Cleared, then raised again: a new notification.
    expect(notify(withAlerts([]))).toEqual([]);
    expect(notify(withAlerts([failed]))).toEqual([alertNotification(failed)]);
  });

  it('words the notification by severity, errors urgent', () => {
    expect(alertNotification(alert('deregistered', 'error'))).toEqual({
      title: 'BittAudio: the miner has a problem',
      body: 'deregistered happened',
      urgency: 'critical',
    });
    expect(alertNotification(alert('immunity_ending', 'warning'))).toMatchObject({ urgency: 'normal' });
  });
});
