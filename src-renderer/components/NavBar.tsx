import type { ReactNode } from 'react';
import { PAGES, hrefFor } from '../routes.js';
import type { PageId } from '../routes.js';

/** The page list from the registry: plain links, so Tab and Enter reach every page. */
export function NavBar({ current }: { current: PageId }): ReactNode {
  return (
    <nav className="nav" aria-label="Pages">
      <div className="nav__brand" aria-hidden="true">
        BittAudio
      </div>
      <ul className="nav__list">
        {PAGES.map((page) => (
          <li key={page.id}>
            <a
              className="nav__link"
              href={hrefFor(page.id)}
              aria-current={page.id === current ? 'page' : undefined}
              data-testid={`nav-${page.id}`}
            >
              <svg className="nav__icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <path d={page.icon} />
              </svg>
              {page.title}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
