/**
 * The network the engine is connected to: the built-in local network (a devnet chain with local
 * miners and a test validator, what `npm start` runs with no configuration) or a real subtensor
 * endpoint. Amounts are rao as decimal strings (u64 does not fit a JSON number).
 */
import { z } from 'zod';
import { RAO_STRING_PATTERN } from '../domain/units.js';

/** Rao (1e-9 TAO or alpha) as a decimal string. */
export const RaoStringSchema = z.string().regex(RAO_STRING_PATTERN, 'an amount in rao, as a decimal string');

export const NetworkKindSchema = z.enum(['local', 'remote']);
export type NetworkKind = z.infer<typeof NetworkKindSchema>;

export const NetworkStateSchema = z.enum(['stopped', 'starting', 'running', 'failed']);
export type NetworkState = z.infer<typeof NetworkStateSchema>;

export const NetworkStatusSchema = z.strictObject({
  kind: NetworkKindSchema,
  state: NetworkStateSchema,
  /** `local` for the built-in network, else the endpoint URL or the network name (finney, test). */
  endpoint: z.string(),
  netuid: z.number().int().nonnegative(),
  /** Latest block seen; null before the first. */
  block: z.number().int().nonnegative().nullable(),
  /** The subnet's tempo (an epoch every tempo + 1 blocks); null until read. */
  tempo: z.number().int().nonnegative().nullable(),
  /** Blocks until the next epoch; null until known. */
  blocksUntilEpoch: z.number().int().nonnegative().nullable(),
  /** Local network only: milliseconds per block. */
  blockTimeMs: z.number().int().positive().nullable(),
  /** Local network only: the other miners it runs and the test validator. */
  localMiners: z.number().int().nonnegative(),
  testValidator: z
    .strictObject({
      hotkey: z.string(),
      /** Requests sent / answered with audio since start. */
      queries: z.number().int().nonnegative(),
      answered: z.number().int().nonnegative(),
      /** Block of the last set_weights, null before the first. */
      lastWeightsBlock: z.number().int().nonnegative().nullable(),
    })
    .nullable(),
  /** Why the network is `failed`, in words. */
  error: z.string().nullable(),
});
export type NetworkStatus = z.infer<typeof NetworkStatusSchema>;

/** One uid of the subnet as the chain's metagraph has it (amounts in rao, ratios in [0, 1]). */
export const MetagraphNeuronSchema = z.strictObject({
  uid: z.number().int().nonnegative(),
  hotkey: z.string(),
  coldkey: z.string(),
  active: z.boolean(),
  validatorPermit: z.boolean(),
  alphaStake: RaoStringSchema,
  totalStake: RaoStringSchema,
  /** Alpha earned in the last epoch. */
  emission: RaoStringSchema,
  incentive: z.number().min(0).max(1),
  dividends: z.number().min(0).max(1),
  consensus: z.number().min(0).max(1),
  lastUpdate: z.number().int().nonnegative(),
  blockAtRegistration: z.number().int().nonnegative(),
  /** The served axon; all zeros (ip 0.0.0.0, port 0) when the uid never served. */
  axon: z.strictObject({
    block: z.number().int().nonnegative(),
    version: z.number().int().nonnegative(),
    ip: z.string(),
    port: z.number().int().min(0).max(65535),
    ipType: z.union([z.literal(4), z.literal(6)]),
    protocol: z.number().int().nonnegative(),
  }),
});
export type MetagraphNeuron = z.infer<typeof MetagraphNeuronSchema>;

export const NetworkMetagraphSchema = z.strictObject({
  netuid: z.number().int().nonnegative(),
  /** The block it was read at. */
  block: z.number().int().nonnegative(),
  tempo: z.number().int().nonnegative(),
  neurons: z.array(MetagraphNeuronSchema),
});
export type NetworkMetagraph = z.infer<typeof NetworkMetagraphSchema>;
