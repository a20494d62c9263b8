/**
 * Test side of the weights crash harness: bundles weights-crash-entry.ts with esbuild (as the
 * build bundles the app's entries), starts it as a child process and reads its JSON lines, so a
 * test can wait for the exact point it kills the process at.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { bundleEntry } from '../../testing/bundle-entry.js';
import { z } from 'zod';
import type { WeightsCrashPoint } from '../weight-setter.js';
import { HARNESS_ENV } from './weights-crash-env.js';

const StatusSchema = z.object({
  last: z.object({ id: z.number(), state: z.string(), block: z.number() }).nullable(),
  nextBlock: z.number().nullable(),
  pendingReveals: z.number(),
  alerts: z.array(z.string()),
});

export const HarnessMessageSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('ready'), head: z.number(), scores: z.array(z.tuple([z.number(), z.number()])) }),
  z.object({
    event: z.literal('block'),
    block: z.number(),
    submission: z.object({ id: z.number(), state: z.string() }).nullable(),
    status: StatusSchema,
  }),
  z.object({ event: z.literal('paused'), point: z.enum(['sent', 'recorded']), row: z.number(), state: z.string() }),
]);
export type HarnessMessage = z.infer<typeof HarnessMessageSchema>;

export interface HarnessBundle {
  entry: string;
  remove(): void;
}

/** Inside the repo, so the bundle's bare imports resolve to node_modules. */
export async function bundleHarness(): Promise<HarnessBundle> {
  const { entry, remove } = await bundleEntry(
    join(import.meta.dirname, 'weights-crash-entry.ts'),
    'weights-crash',
    'weights-crash.mjs',
  );
  return { entry, remove };
}

export interface HarnessOptions {
  entry: string;
  endpoint: string;
  dataDir: string;
  netuid: number;
  /** A development key URI (//Charlie). */
  hotkeyUri: string;
  pauseAt?: WeightsCrashPoint;
}

export class WeightsHarness {
  readonly messages: HarnessMessage[] = [];
  private stderr = '';
  private exited = false;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly child: ChildProcess) {
    let pending = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        // Anything but the harness's own lines (a library's console output) is not for the test.
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch {
          continue;
        }
        const parsed = HarnessMessageSchema.safeParse(json);
        if (parsed.success) this.messages.push(parsed.data);
      }
      this.wake();
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    child.once('exit', () => {
      this.exited = true;
      this.wake();
    });
  }

  static start(options: HarnessOptions): WeightsHarness {
    const child = spawn(process.execPath, [options.entry], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        [HARNESS_ENV.endpoint]: options.endpoint,
        [HARNESS_ENV.dataDir]: options.dataDir,
        [HARNESS_ENV.netuid]: String(options.netuid),
        [HARNESS_ENV.hotkey]: options.hotkeyUri,
        [HARNESS_ENV.pauseAt]: options.pauseAt ?? '',
      },
    });
    return new WeightsHarness(child);
  }

  /** The first message (in arrival order) that `match` accepts; rejects if the process ends first. */
  async waitFor<T extends HarnessMessage>(match: (message: HarnessMessage) => message is T, what: string): Promise<T> {
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (this.exited) throw new Error(`the harness exited before ${what}:\n${this.stderr}`);
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  /** The harness's pass over `block` (or a later one) is done. */
  afterBlock(block: number): Promise<Extract<HarnessMessage, { event: 'block' }>> {
    return this.waitFor(
      (m): m is Extract<HarnessMessage, { event: 'block' }> => m.event === 'block' && m.block >= block,
      `its pass over block ${block}`,
    );
  }

  /** kill -9: no handler, no flush, no goodbye to the chain. */
  async kill9(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await gone;
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }
}
