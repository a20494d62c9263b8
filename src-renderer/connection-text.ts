/** The words for a connection state, shared by the badge and anything else that reports it. */
import type { ConnectionState } from '../src-shared/api/client.js';

export type ConnectionTone = 'ok' | 'pending' | 'warn' | 'error';

export function describeConnection(
  connection: ConnectionState,
  hasConnected: boolean,
): { label: string; detail: string | null; tone: ConnectionTone } {
  switch (connection.status) {
    case 'connected':
      return { label: 'Connected', detail: null, tone: 'ok' };
    case 'connecting':
      return hasConnected
        ? { label: 'Reconnecting…', detail: null, tone: 'pending' }
        : { label: 'Connecting…', detail: null, tone: 'pending' };
    case 'disconnected': {
      const seconds = Math.max(1, Math.round(connection.retryInMs / 1000));
      return {
        label: `Disconnected. Reconnecting… in ${seconds} s`,
        detail: connection.reason,
        tone: 'warn',
      };
    }
    case 'failed':
      return { label: 'Connection failed', detail: connection.reason, tone: 'error' };
  }
}
