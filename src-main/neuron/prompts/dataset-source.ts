/**
 * A PromptSource over a prompt table (a hub dataset or a local folder): rows in a seeded shuffled
 * order, the reference's rules applied (digits as words, redraw past 256 characters), and each
 * reference clip's hash recorded in the duplicate set as the reference validator does (scoring.md
 * §1.1), so a miner that sends the clip back is caught by the exact check.
 *
 * A row that cannot be used (an empty or too-long prompt, a missing or unreadable clip) is skipped
 * with a note in the log and another row is drawn; only a set where nothing can be drawn fails.
 */
import { interleave } from '../../audio/channels.js';
import type { Logger } from '../../log/logger.js';
import { exactAudioHash } from '../../scoring/audio-hash.js';
import type { HashLedger } from '../../scoring/duplicate-check.js';
import type { PromptSource, ValidatorPrompt } from '../validator-ports.js';
import { type DatasetFiles } from './dataset-files.js';
import { openPromptTable, type PromptTable, type ReferenceClip } from './dataset-table.js';
import { PromptSetError, isAbort } from './errors.js';
import { applyPromptRules, MAX_REDRAWS, ShuffledOrder } from './prompt-rules.js';

export interface DatasetSourceOptions {
  /** `hub:<repo>` or `folder:<path>`, as ValidatorPrompt.source. */
  source: string;
  seed: number;
  /** The duplicate set the reference clips join; leave out to skip (tests of the table alone). */
  ledger?: HashLedger;
  logger?: Logger;
  now?: () => Date;
}

export class DatasetPromptSource implements PromptSource {
  private table: Promise<PromptTable> | null = null;
  private loaded: PromptTable | null = null;
  private order: ShuffledOrder | null = null;
  private readonly now: () => Date;

  constructor(
    private readonly files: DatasetFiles,
    private readonly options: DatasetSourceOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  describe(): string {
    const table = this.loaded;
    if (table === null) return `${this.options.source} (not loaded yet)`;
    const clips = table.hasReferences ? ', with reference clips' : '';
    return `${this.options.source} (${table.size} prompts${clips}; ${table.layout})`;
  }

  async next(signal?: AbortSignal): Promise<ValidatorPrompt> {
    const table = await this.open(signal);
    this.order ??= new ShuffledOrder(table.size, this.options.seed);
    const skipped: string[] = [];
    for (let draw = 0; draw < MAX_REDRAWS; draw++) {
      signal?.throwIfAborted();
      const row = this.order.next();
      const id = table.rowId(row);
      const text = applyPromptRules(table.prompt(row));
      if (text === null) {
        skipped.push(`${id}: empty or longer than 256 characters`);
        continue;
      }
      let reference: ReferenceClip | null = null;
      if (table.hasReferences) {
        try {
          reference = await table.reference(row, signal);
          if (reference !== null) this.recordReference(reference);
        } catch (error) {
          if (isAbort(error, signal)) throw error;
          skipped.push(`${id}: ${(error as Error).message}`);
          this.options.logger?.warn('Skipping a prompt-set row whose reference clip cannot be used', {
            source: this.options.source,
            row: id,
            reason: (error as Error).message,
          });
          continue;
        }
        if (reference === null) continue;
      }
      if (skipped.length > 0) {
        this.options.logger?.debug('Redrew prompts that break the prompt rules', { skipped: skipped.length });
      }
      return { id, text, reference, source: this.options.source };
    }
    throw new PromptSetError(
      `${this.options.source}: no usable prompt in ${MAX_REDRAWS} draws (e.g. ${skipped.slice(0, 3).join('; ')}).`,
    );
  }

  private open(signal?: AbortSignal): Promise<PromptTable> {
    this.table ??= openPromptTable(this.files, signal).then(
      (table) => {
        this.loaded = table;
        this.options.logger?.info('Prompt set loaded', {
          source: this.options.source,
          prompts: table.size,
          layout: table.layout,
          referenceClips: table.hasReferences,
        });
        return table;
      },
      (error: unknown) => {
        // A failed load (offline, a bad file) is tried again on the next call.
        this.table = null;
        throw error;
      },
    );
    return this.table;
  }

  /** The reference hashes the clip as soundfile reads it: interleaved frames, peak-normalised. */
  private recordReference(clip: ReferenceClip): void {
    const ledger = this.options.ledger;
    if (ledger === undefined) return;
    ledger.checkAndRecord({
      hash: exactAudioHash(interleave(clip.channelData)),
      firstSeen: this.now().toISOString(),
      source: 'reference',
      hotkey: null,
    });
  }
}
