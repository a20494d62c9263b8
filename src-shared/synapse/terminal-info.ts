/**
 * `TerminalInfo`: what one side of an exchange says about itself (wire-protocol §2.1). The synapse
 * carries one for the dendrite and one for the axon. Field names and order are the wire's.
 */
import { z } from 'zod';
import { laxBigInt, laxFloat, laxInt } from './lax.js';

/** Field order of `model_dump`, and therefore of JSON bodies and `bt_header_*` headers. */
export const TERMINAL_INFO_FIELDS = [
  'status_code',
  'status_message',
  'process_time',
  'ip',
  'port',
  'version',
  'nonce',
  'uuid',
  'hotkey',
  'signature',
] as const;
export type TerminalInfoField = (typeof TERMINAL_INFO_FIELDS)[number];

export const TerminalInfoSchema = z.object({
  status_code: laxInt.nullable().default(null),
  status_message: z.string().nullable().default(null),
  /** Seconds. */
  process_time: laxFloat.nullable().default(null),
  ip: z.string().nullable().default(null),
  port: laxInt.nullable().default(null),
  /** SDK version as an integer (wire-protocol §2.3). */
  version: laxInt.nullable().default(null),
  /** Unix wall-clock time in nanoseconds: always a bigint, never a number. */
  nonce: laxBigInt.nullable().default(null),
  uuid: z.string().nullable().default(null),
  /** SS58 address. */
  hotkey: z.string().nullable().default(null),
  /** `0x` + 128 hex characters (sr25519). */
  signature: z.string().nullable().default(null),
});

export type TerminalInfo = {
  status_code: number | null;
  status_message: string | null;
  process_time: number | null;
  ip: string | null;
  port: number | null;
  version: number | null;
  nonce: bigint | null;
  uuid: string | null;
  hotkey: string | null;
  signature: string | null;
};

/** Every field null: the default of both `dendrite` and `axon`. */
export function emptyTerminalInfo(): TerminalInfo {
  return {
    status_code: null,
    status_message: null,
    process_time: null,
    ip: null,
    port: null,
    version: null,
    nonce: null,
    uuid: null,
    hotkey: null,
    signature: null,
  };
}

/** A TerminalInfo with the given fields set and all others null, in wire order. */
export function terminalInfo(fields: Partial<TerminalInfo>): TerminalInfo {
  return { ...emptyTerminalInfo(), ...fields };
}

/**
 * The JSON field of a synapse (`dendrite`, `axon`): a TerminalInfo, or null/absent meaning an empty
 * one. Python keeps `None` there; we normalise it to the empty TerminalInfo, which every reader of
 * the field treats the same way.
 */
export const TerminalInfoFieldSchema = TerminalInfoSchema.nullish().transform(
  (value): TerminalInfo => value ?? emptyTerminalInfo(),
);
