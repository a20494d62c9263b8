/**
 * `generations.list` / `generations.get` and the `generation.stored` event: the history of every
 * request a neuron handled (a row in SQLite and a WAV in `<data>/generations`), with the retention
 * policy (keep N days / N GB, from the settings) applied at start and then periodically.
 */
import { basename } from 'node:path';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { StoredGenerationItem } from '../../src-shared/schemas/generation.js';
import type { Settings } from '../../src-shared/schemas/settings.js';
import type { Logger } from '../log/logger.js';
import type { GenerationRecord, GenerationStore, StoredGeneration } from '../store/generation-store.js';
import type { EventBus } from './events.js';
import type { HandlerSlice, Service } from './service.js';

type Commands = 'generations.list' | 'generations.get';

/** MusicGen's frame rate and the delay pattern's extra steps (musicgen spec §1). */
const FRAMES_PER_SECOND = 50;
const DELAY_STEPS = 3;

export interface GenerationServiceOptions {
  store: GenerationStore;
  events: EventBus;
  log: Logger;
  settings: () => Pick<Settings, 'keepDays' | 'keepGb'>;
  /** Milliseconds between retention runs. Default one hour. */
  pruneEveryMs?: number;
  now?: () => Date;
}

export class GenerationService implements Service<Commands> {
  readonly name = 'generations';
  readonly handlers: HandlerSlice<Commands> = {
    'generations.list': ({ limit, offset, search }) => {
      const filter = search === undefined || search === '' ? {} : { search };
      return {
        items: this.options.store.list({ limit, offset, ...filter }).map(toItem),
        total: this.options.store.count(filter),
      };
    },
    'generations.get': ({ id }) => {
      const stored = this.options.store.get(id);
      if (!stored) throw new HostApiError('not_found', `There is no generation ${id}.`);
      return toItem(stored);
    },
  };
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: GenerationServiceOptions) {
    this.prune();
    this.timer = setInterval(() => this.prune(), options.pruneEveryMs ?? 3_600_000);
    this.timer.unref();
  }

  /** The folder of the WAV files (the media route serves only from here). */
  get audioDir(): string {
    return this.options.store.audioDir;
  }

  /**
   * Records one request (and its audio) and tells the clients. A failure to write is logged and
   * swallowed: the validator's answer matters more than its record (a full disk, say).
   */
  record(record: GenerationRecord, audio?: { samples: Float32Array; sampleRate: number }): StoredGenerationItem | null {
    try {
      const item = toItem(this.options.store.add(record, audio));
      this.options.events.emit('generation.stored', item);
      return item;
    } catch (error) {
      this.options.log.error('Could not record a generation', { error: String(error) });
      return null;
    }
  }

  /** Applies the retention settings now; returns what went. */
  prune(): { rows: number; files: number } {
    const { keepDays, keepGb } = this.options.settings();
    try {
      const removed = this.options.store.prune(
        { maxAgeDays: keepDays, maxAudioBytes: keepGb * 1e9 },
        this.options.now?.() ?? new Date(),
      );
      if (removed.rows > 0 || removed.files > 0) this.options.log.info('Old generations removed', { ...removed });
      return removed;
    } catch (error) {
      this.options.log.error('Could not apply the generation retention', { error: String(error) });
      return { rows: 0, files: 0 };
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** The wire shape of a stored generation: seconds of audio, and a media path instead of a file path. */
export function toItem(stored: StoredGeneration): StoredGenerationItem {
  return {
    id: stored.id,
    time: stored.time,
    role: stored.role,
    caller: stored.caller,
    prompt: stored.prompt,
    durationTokens: stored.durationTokens,
    durationSeconds: Math.max(0, stored.durationTokens - DELAY_STEPS) / FRAMES_PER_SECOND,
    model: stored.model,
    device: stored.device,
    status: stored.status,
    error: stored.error,
    queuedMs: stored.queuedMs,
    generateMs: stored.generateMs,
    audioBytes: stored.audioBytes,
    mediaPath: stored.wavPath ? `generations/${basename(stored.wavPath)}` : null,
  };
}
