import type { ReactNode } from 'react';

/**
 * What a part of a page shows when it has nothing yet: says why and, where there is one, what
 * to do. A live region, so that the change to real data (or to a reason) is heard.
 */
export function EmptyState({ children, testId }: { children: ReactNode; testId?: string }): ReactNode {
  return (
    <p className="empty-state muted" role="status" data-testid={testId}>
      {children}
    </p>
  );
}
