/** `settings.get` and `settings.update`: typed settings in SQLite, a `settings` event on change. */
import type { Settings } from '../../src-shared/schemas/settings.js';
import type { Logger } from '../log/logger.js';
import type { SettingsStore } from '../store/settings-store.js';
import type { EventBus } from './events.js';
import type { HandlerSlice, Service } from './service.js';

export class SettingsService implements Service<'settings.get' | 'settings.update'> {
  readonly name = 'settings';
  readonly handlers: HandlerSlice<'settings.get' | 'settings.update'> = {
    'settings.get': () => this.store.get(),
    'settings.update': (patch) => this.update(patch),
  };

  constructor(
    private readonly store: SettingsStore,
    private readonly options: {
      events: EventBus;
      log: Logger;
      onChange?: (settings: Settings, before: Settings) => void;
    },
  ) {}

  get(): Settings {
    return this.store.get();
  }

  update(patch: Partial<Settings>): Settings {
    const before = this.store.get();
    const after = this.store.update(patch);
    const changed = Object.keys(patch).filter((key) => before[key as keyof Settings] !== after[key as keyof Settings]);
    this.options.onChange?.(after, before);
    if (changed.length > 0) {
      this.options.log.info('Settings changed', { changed });
      this.options.events.emit('settings', after);
    }
    return after;
  }

  stop(): void {
    // Every update is written at once; nothing pending.
  }
}
