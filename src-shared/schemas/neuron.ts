/**
 * The neuron this engine runs (the miner today; the validator later): its state, what it holds
 * (uid, axon, worker, device) and what the chain says of it, plus the alerts a user should act on.
 */
import { z } from 'zod';
import { RaoStringSchema } from './network.js';

export const NeuronStateSchema = z.enum(['stopped', 'starting', 'running', 'stopping', 'failed']);
export type NeuronState = z.infer<typeof NeuronStateSchema>;

export const ALERT_KINDS = [
  'not_registered',
  'deregistered',
  'immunity_ending',
  'axon_not_served',
  'axon_address_mismatch',
  'model_failed',
  'worker_failed',
  'chain_unreachable',
] as const;
export const AlertKindSchema = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof AlertKindSchema>;

export const AlertSchema = z.strictObject({
  kind: AlertKindSchema,
  severity: z.enum(['info', 'warning', 'error']),
  /** What happened and what to do, in words. */
  message: z.string(),
  /** ISO 8601, when first raised. */
  since: z.string(),
});
export type Alert = z.infer<typeof AlertSchema>;

/** What the metagraph says of our uid. Incentive, trust etc. are the chain's u16 values scaled to 0…1. */
export const NeuronChainStatsSchema = z.strictObject({
  stake: RaoStringSchema,
  incentive: z.number().min(0).max(1),
  emission: RaoStringSchema,
  trust: z.number().min(0).max(1).nullable(),
  /** Blocks of immunity left; 0 when past it. */
  immunityBlocksLeft: z.number().int().nonnegative(),
  /** Block at which the snapshot was read. */
  block: z.number().int().nonnegative(),
});
export type NeuronChainStats = z.infer<typeof NeuronChainStatsSchema>;

export const WorkerStateSchema = z.enum(['stopped', 'starting', 'ready', 'crashed', 'restarting']);

export const NeuronStatusSchema = z.strictObject({
  role: z.enum(['miner']),
  state: NeuronStateSchema,
  hotkey: z.string().nullable(),
  uid: z.number().int().nonnegative().nullable(),
  netuid: z.number().int().nonnegative(),
  axon: z
    .strictObject({
      host: z.string(),
      port: z.number().int().min(0).max(65535),
      externalIp: z.string(),
      externalPort: z.number().int().min(0).max(65535),
      servedOnChain: z.boolean(),
    })
    .nullable(),
  model: z.string().nullable(),
  device: z.string().nullable(),
  worker: z.strictObject({
    state: WorkerStateSchema,
    /** Crashes since the neuron started. */
    restarts: z.number().int().nonnegative(),
    lastError: z.string().nullable(),
  }),
  queue: z.strictObject({ queued: z.number().int().nonnegative(), running: z.number().int().nonnegative() }),
  /** Requests answered / failed since start. */
  answered: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  chain: NeuronChainStatsSchema.nullable(),
  alerts: z.array(AlertSchema),
  /** Why the neuron is `failed` (or refused to start), in words, with a code. */
  error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
});
export type NeuronStatus = z.infer<typeof NeuronStatusSchema>;

/** One epoch's view of our uid, kept in the rewards table. */
export const RewardSnapshotSchema = z.strictObject({
  /** ISO 8601 time of the snapshot. */
  time: z.string(),
  block: z.number().int().nonnegative(),
  netuid: z.number().int().nonnegative(),
  uid: z.number().int().nonnegative(),
  hotkey: z.string(),
  stake: RaoStringSchema,
  incentive: z.number().min(0).max(1),
  emission: RaoStringSchema,
  trust: z.number().min(0).max(1).nullable(),
  /** A validator's share of the epoch's dividends (0 … 1); absent where not recorded (the miner's). */
  dividends: z.number().min(0).max(1).nullable().optional(),
  /** Whether the uid held a validator permit; absent where not recorded. */
  validatorPermit: z.boolean().nullable().optional(),
  /** Blocks of immunity left at `block` (0 when past it); absent where not recorded (rows before it was). */
  immunityBlocksLeft: z.number().int().nonnegative().nullable().optional(),
  /**
   * The subnet's alpha price at `block`, TAO rao per 1 alpha (chain §3: tao = alpha × price / 1e9);
   * absent or null where the chain gives no price (a runtime without dynamic TAO).
   */
  alphaPrice: RaoStringSchema.nullable().optional(),
});
export type RewardSnapshot = z.infer<typeof RewardSnapshotSchema>;
