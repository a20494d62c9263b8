import type { ReactNode } from 'react';

/** A page whose feature is not built yet: says what it will do and when, and shows no made-up data. */
export function PlaceholderPage({
  title,
  purpose,
  arrives,
}: {
  title: string;
  purpose: string;
  arrives: string;
}): ReactNode {
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      <div className="panel placeholder">
        <p>{purpose}</p>
        <p className="placeholder__arrives">{arrives}</p>
      </div>
    </section>
  );
}
