import { z } from 'zod';

/** What the engine is doing. Mining and validating arrive with the neuron issues. */
export const RoleSchema = z.enum(['idle', 'miner', 'validator']);
export type Role = z.infer<typeof RoleSchema>;

/** Which shell runs the engine: the Electron main process or the headless daemon. */
export const HostKindSchema = z.enum(['electron', 'daemon']);
export type HostKind = z.infer<typeof HostKindSchema>;

export const EngineStatusSchema = z.object({
  version: z.string(),
  host: HostKindSchema,
  role: RoleSchema,
  /** ISO 8601 time at which the engine started. */
  startedAt: z.string(),
  uptimeSeconds: z.number().nonnegative(),
  dataDir: z.string(),
  platform: z.string(),
  nodeVersion: z.string(),
});
export type EngineStatus = z.infer<typeof EngineStatusSchema>;
