import type { ReactNode } from 'react';
import { InlineCode } from './InlineCode.js';

/** A page whose screen is not built yet: says what it will show and what works today, and shows no made-up data. */
export function PlaceholderPage({
  title,
  purpose,
  today,
}: {
  title: string;
  purpose: string;
  today: string;
}): ReactNode {
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      <div className="panel placeholder">
        <p>{purpose}</p>
        <p className="placeholder__today">
          <InlineCode text={today} />
        </p>
      </div>
    </section>
  );
}
