import type { ReactNode } from 'react';
import { describeConnection } from '../connection-text.js';
import { InlineCode } from './InlineCode.js';
import { useEngine } from '../state/engine-context.js';

/** Always visible in the top bar, so a lost daemon is noticed on every page. */
export function ConnectionBadge(): ReactNode {
  const connection = useEngine((state) => state.connection);
  const hasConnected = useEngine((state) => state.hasConnected);
  const { label, detail, tone } = describeConnection(connection, hasConnected);
  return (
    <div className={`connection connection--${tone}`} data-testid="connection" role="status" aria-live="polite">
      <span className="connection__dot" aria-hidden="true" />
      <span className="connection__label">{label}</span>
      {detail !== null && (
        <span className="connection__detail">
          : <InlineCode text={detail} />
        </span>
      )}
    </div>
  );
}
