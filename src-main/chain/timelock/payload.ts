import { type BytesLike, concat, toBytes, toInteger, u64Bytes, U64_RANGE } from './bytes.js';
import { TimelockError } from './errors.js';
import { ScaleReader, encodeBytesVec, encodeCompactLength, encodeU16Vec } from './scale.js';

/** The commit-reveal v4 plaintext (`WeightsTlockPayload` in subtensor and bittensor-drand). */
export interface WeightsTlockPayload {
  /** Raw public key of the hotkey that signs the commit extrinsic (32 bytes for sr25519/ed25519). */
  hotkey: Uint8Array;
  uids: number[];
  /** u16 weights, already converted (max-upscaled to 65535, zeros dropped) as the SDK does. */
  values: number[];
  versionKey: bigint;
}

export interface WeightsTlockPayloadInput {
  hotkey: BytesLike;
  uids: readonly number[];
  values: readonly number[];
  versionKey: bigint | number;
}

const HOTKEY_BYTES = 32;

function checkU16List(list: readonly number[], label: string): void {
  if (!Array.isArray(list)) throw new TimelockError('invalid-input', `${label}: expected an array`);
  list.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) {
      throw new TimelockError('invalid-input', `${label}[${i}] = ${v} is not a u16`);
    }
  });
}

/**
 * Validates what the chain would otherwise reject silently at reveal time and that can be checked locally:
 * a 32-byte hotkey, u16 uids and values of equal length, no duplicate uids, and a u64 version key.
 */
export function validateWeightsPayload(input: WeightsTlockPayloadInput): WeightsTlockPayload {
  const hotkey = toBytes(input.hotkey, 'hotkey', HOTKEY_BYTES);
  checkU16List(input.uids, 'uids');
  checkU16List(input.values, 'values');
  if (input.uids.length !== input.values.length) {
    throw new TimelockError(
      'invalid-input',
      `uids and values differ in length (${input.uids.length} vs ${input.values.length})`,
    );
  }
  const seen = new Set<number>();
  for (const uid of input.uids) {
    if (seen.has(uid)) throw new TimelockError('invalid-input', `duplicate uid ${uid}`);
    seen.add(uid);
  }
  const versionKey = toInteger(input.versionKey, 'versionKey', U64_RANGE.min, U64_RANGE.max);
  return { hotkey, uids: [...input.uids], values: [...input.values], versionKey };
}

/** SCALE bytes of `WeightsTlockPayload { hotkey: Vec<u8>, uids: Vec<u16>, values: Vec<u16>, version_key: u64 }`. */
export function encodeWeightsPayload(input: WeightsTlockPayloadInput): Uint8Array {
  const p = validateWeightsPayload(input);
  return concat(encodeBytesVec(p.hotkey), encodeU16Vec(p.uids), encodeU16Vec(p.values), u64Bytes(p.versionKey, true));
}

/** Encoded size for `n` (uid, value) pairs and a 32-byte hotkey. */
export function weightsPayloadLength(n: number): number {
  return 1 + HOTKEY_BYTES + 2 * encodeCompactLength(n).length + 4 * n + 8;
}

/**
 * Decodes v4 payload bytes strictly (every length must fit, no trailing bytes). Throws `malformed-payload`.
 * It does not enforce the hotkey length, so a decoded payload can be compared with the signer.
 */
export function decodeWeightsPayload(bytes: Uint8Array): WeightsTlockPayload {
  const r = new ScaleReader(bytes, 'malformed-payload', 'weights payload');
  const hotkey = r.take(r.compactLength('hotkey length'), 'hotkey').slice();
  const readU16s = (field: string): number[] => {
    const n = r.compactLength(`${field} length`);
    if (2 * n > bytes.length - r.offset) r.fail(`${field}: length ${n} exceeds the remaining bytes`);
    return Array.from({ length: n }, () => r.u16(field));
  };
  const uids = readU16s('uids');
  const values = readU16s('values');
  const versionKey = r.u64('version_key');
  r.end();
  return { hotkey, uids, values, versionKey };
}
