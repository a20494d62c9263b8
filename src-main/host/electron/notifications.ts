/**
 * System notifications for the neuron's alerts (deregistered, immunity ending, worker failed…),
 * so a miner running behind a hidden window is not failing unnoticed. Each alert notifies once:
 * when it first appears, not on every status event that still carries it.
 */
import type { Notification, NotificationConstructorOptions } from 'electron';
import type { Alert, NeuronStatus } from '../../../src-shared/schemas/neuron.js';
import type { Engine } from '../../engine/engine.js';
import type { Logger } from '../../log/logger.js';

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

/** Electron's Notification class, as far as this module uses it. */
export interface NotificationClass {
  new (options: NotificationConstructorOptions): Pick<Notification, 'show'>;
  isSupported(): boolean;
}

/** Shows a notification for each new warning or error alert of the neuron. */
export function startNotifications(
  Notifications: NotificationClass,
  engine: Pick<Engine, 'events' | 'neuron'>,
  log: Logger,
): void {
  if (!Notifications.isSupported()) {
    log.info('This desktop shows no notifications; alerts stay in the app');
    return;
  }
  const notifier = alertNotifier();
  notifier(engine.neuron.status()); // alerts already up at start are in the window, not news
  engine.events.subscribe((message) => {
    if (message.event !== 'neuron') return;
    for (const options of notifier(message.payload)) new Notifications(options).show();
  });
}
