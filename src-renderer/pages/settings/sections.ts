/**
 * The Settings page's sections, in order. A new group of settings (scoring, the wallet's) is a
 * component in this folder and one entry here; the page renders whatever is listed.
 */
import type { ReactNode } from 'react';
import { GeneralSettings } from './GeneralSettings.js';
import { ModelsSection } from './ModelsSection.js';
import { ScoringSettings } from './ScoringSettings.js';
import { ValidatorSettings } from './ValidatorSettings.js';

export interface SettingsSection {
  /** Stable, for tests and links. */
  readonly id: string;
  readonly component: () => ReactNode;
}

export const SETTINGS_SECTIONS = [
  { id: 'general', component: GeneralSettings },
  { id: 'scoring', component: ScoringSettings },
  { id: 'models', component: ModelsSection },
  { id: 'validator', component: ValidatorSettings },
] as const satisfies readonly SettingsSection[];
