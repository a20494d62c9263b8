import { describe, expect, it } from 'vitest';
import { job, networkStatus } from './testing/miner-fixtures.js';
import { epochCountdownText, formatFraction, jobProgressText, shortAddress } from './miner-text.js';

describe('miner text', () => {
  it('counts down to the epoch with the local block time, or 12 s blocks on a real chain', () => {
    expect(epochCountdownText(networkStatus({ blocksUntilEpoch: 30, blockTimeMs: 1000 }))).toBe('in 30 blocks (~30s)');
    expect(epochCountdownText(networkStatus({ kind: 'remote', blocksUntilEpoch: 10, blockTimeMs: null }))).toBe(
      'in 10 blocks (~2m 00s)',
    );
    expect(epochCountdownText(networkStatus({ blocksUntilEpoch: 1 }))).toBe('in 1 block (~1s)');
    expect(epochCountdownText(networkStatus({ blocksUntilEpoch: 0 }))).toBe('now');
    expect(epochCountdownText(networkStatus({ blocksUntilEpoch: null }))).toBe('unknown yet');
  });

  it('shows fractions as percentages and job progress in words', () => {
    expect(formatFraction(0.25)).toBe('25.00 %');
    expect(formatFraction(0)).toBe('0.00 %');
    expect(jobProgressText(job('a'))).toBe('step 10 of 253 · 50.0 steps/s · ~5s left');
    expect(jobProgressText(job('a', { state: 'queued', etaMs: 12_400 }))).toBe('queued · ~13s left');
    expect(jobProgressText(job('a', { stepsPerSecond: 0, etaMs: null }))).toBe('step 10 of 253');
  });

  it('shortens an address and leaves a short name alone', () => {
    expect(shortAddress('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY')).toBe('5Grwva…utQY');
    expect(shortAddress('ui')).toBe('ui');
  });
});
