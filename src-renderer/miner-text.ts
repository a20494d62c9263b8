/** How the miner's numbers read on screen. */
import type { GenerationEvent } from '../src-shared/schemas/generation.js';
import type { NetworkStatus } from '../src-shared/schemas/network.js';
import { formatDuration } from './format.js';

/** A real subtensor makes a block every 12 s. */
export const CHAIN_BLOCK_MS = 12_000;

/** `in 30 blocks (~30s)`; `unknown yet` before the chain says. */
export function epochCountdownText(network: NetworkStatus): string {
  if (network.blocksUntilEpoch === null) return 'unknown yet';
  const blocks = network.blocksUntilEpoch;
  if (blocks === 0) return 'now';
  const ms = blocks * (network.blockTimeMs ?? CHAIN_BLOCK_MS);
  return `in ${blocks} block${blocks === 1 ? '' : 's'} (~${formatDuration(ms / 1000)})`;
}

/** The chain's 0…1 fractions as `25.00 %`. */
export function formatFraction(value: number): string {
  return `${(value * 100).toFixed(2)} %`;
}

/** `step 100 of 253 · 50.0 steps/s · 3s left`, or `queued · ~5s` while waiting. */
export function jobProgressText(job: GenerationEvent): string {
  const eta = job.etaMs === null ? null : `~${formatDuration(Math.ceil(job.etaMs / 1000))} left`;
  if (job.state === 'queued') return ['queued', eta].filter((part) => part !== null).join(' · ');
  const parts = [`step ${job.step} of ${job.steps}`];
  if (job.stepsPerSecond > 0) parts.push(`${job.stepsPerSecond.toFixed(1)} steps/s`);
  if (eta !== null) parts.push(eta);
  return parts.join(' · ');
}

/** A hotkey or other SS58 address cut to `5Grwva…utQY` where space is short (the full one in a title). */
export function shortAddress(address: string): string {
  return address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}
