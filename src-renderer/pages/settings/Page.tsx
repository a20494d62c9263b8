/** The Settings page: the sections of sections.ts, each a panel that saves its own changes. */
import type { ReactNode } from 'react';
import { SETTINGS_SECTIONS } from './sections.js';
import './settings.css';

export function SettingsPage(): ReactNode {
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">Settings</h1>
      {SETTINGS_SECTIONS.map(({ id, component: Section }) => (
        <div key={id} data-testid={`settings-section-${id}`}>
          <Section />
        </div>
      ))}
    </section>
  );
}
