import { describe, expect, it } from 'vitest';
import { lsbDither, syntheticMusic } from '../testing/test-signals.js';
import { checkDuplicate, registerReferenceClip, type HashLedger, type HashRecord } from './duplicate-check.js';
import { NearDuplicateIndex } from './near-duplicate.js';

const RATE = 32_000;
const TIME = '2026-12-02T12:00:00.000Z';

/** The same contract as store/DuplicateStore, in memory. */
class MemoryLedger implements HashLedger {
  readonly records = new Map<string, HashRecord>();
  checkAndRecord(record: HashRecord): HashRecord | null {
    const earlier = this.records.get(record.hash);
    if (earlier !== undefined) return earlier;
    this.records.set(record.hash, record);
    return null;
  }
}

const reference = syntheticMusic(21, 15, RATE);
const response = (samples: Float32Array, hotkey: string, id: string) => ({
  samples,
  sampleRate: RATE,
  hotkey,
  time: TIME,
  id,
});

describe('checkDuplicate', { timeout: 60_000 }, () => {
  it('bittaudio-1.1.3: only the exact hash counts — the replayed reference is caught, a 1-LSB copy is not', () => {
    const ledger = new MemoryLedger();
    const index = new NearDuplicateIndex();
    registerReferenceClip(reference, RATE, TIME, ledger, index);
    const replay = checkDuplicate('bittaudio-1.1.3', response(reference, '5A', '1'), ledger, index);
    expect(replay.duplicate).toBe(true);
    expect(replay.exact?.source).toBe('reference');
    const dithered = checkDuplicate('bittaudio-1.1.3', response(lsbDither(reference, 4), '5B', '2'), ledger, index);
    expect([dithered.duplicate, dithered.near]).toEqual([false, null]);
  });

  it('fixed: the 1-LSB copy of the reference, and a copy of an earlier output, are duplicates; new music is not', () => {
    const ledger = new MemoryLedger();
    const index = new NearDuplicateIndex();
    registerReferenceClip(reference, RATE, TIME, ledger, index);
    const dithered = checkDuplicate('fixed', response(lsbDither(reference, 4), '5B', '2'), ledger, index);
    expect(dithered.exact).toBeNull();
    expect(dithered.near?.matched).toBe('reference');
    expect(dithered.duplicate).toBe(true);

    const original = syntheticMusic(22, 15, RATE);
    expect(checkDuplicate('fixed', response(original, '5C', '3'), ledger, index).duplicate).toBe(false);
    const copy = checkDuplicate('fixed', response(lsbDither(original, 8), '5D', '4'), ledger, index);
    expect(copy.near?.matched).toBe('3');
  });
});
