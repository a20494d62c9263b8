import { useId } from 'react';
import type { ReactNode } from 'react';

/** A titled part of a page: a <section> named by its heading, with actions beside the title. */
export function Panel({
  title,
  actions,
  children,
  className,
  testId,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}): ReactNode {
  const headingId = useId();
  return (
    <section className={className ? `panel ${className}` : 'panel'} aria-labelledby={headingId} data-testid={testId}>
      {actions === undefined ? (
        <h2 id={headingId}>{title}</h2>
      ) : (
        <div className="panel__head">
          <h2 id={headingId}>{title}</h2>
          {actions}
        </div>
      )}
      {children}
    </section>
  );
}
