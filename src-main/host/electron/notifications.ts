/**
 * System notifications for the neuron's alerts (deregistered, immunity ending, worker failed…),
 * so a miner running behind a hidden window is not failing unnoticed. Each alert notifies once:
 * when it first appears, not on every status event that still carries it.
 */
import type { NotificationConstructorOptions } from 'electron';
import type { Alert, NeuronStatus } from '../../../src-shared/schemas/neuron.js';

/** An alert is the same alert while its kind and first-raised time are the same. */
const alertKey = (alert: Alert): string => `${alert.kind}@${alert.since}`;

/** The alerts of `next` that `previous` did not have. */
export function newAlerts(previous: readonly Alert[], next: readonly Alert[]): Alert[] {
  const seen = new Set(previous.map(alertKey));
  return next.filter((alert) => !seen.has(alertKey(alert)));
}

const TITLES: Record<Alert['severity'], string> = {
  info: 'BittAudio',
  warning: 'BittAudio needs attention',
  error: 'BittAudio: the miner has a problem',
};

/** What the notification shows; errors stay until dismissed where the desktop allows it. */
export function alertNotification(alert: Alert): NotificationConstructorOptions {
  return {
    title: TITLES[alert.severity],
    body: alert.message,
    urgency: alert.severity === 'error' ? 'critical' : 'normal',
  };
}

/**
 * Follows neuron statuses and returns what to notify at each: infos are shown in the app only, so
 * only warnings and errors reach the desktop.
 */
export function alertNotifier(): (status: NeuronStatus) => NotificationConstructorOptions[] {
  let previous: readonly Alert[] = [];
  return (status) => {
    const fresh = newAlerts(previous, status.alerts);
    previous = status.alerts;
    return fresh.filter((alert) => alert.severity !== 'info').map(alertNotification);
  };
}
