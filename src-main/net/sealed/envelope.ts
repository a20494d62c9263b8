/**
 * The clear part of a sealed exchange: the standard `bt_header_*` values that both sides already
 * have, the signature message over them (wire-protocol §3.7), and the associated data (AD) that ties
 * a ciphertext to exactly one request and one direction (docs/sealed-synapse.md §4).
 */
import { sha3_256 } from '@noble/hashes/sha3.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { concat, lengthPrefixed, U64_MAX, u64be, u8 } from './bytes.js';
import { canonicalNumber } from './canonical-json.js';
import {
  AD_LABEL,
  CONTEXT_TAG_LENGTH,
  DIRECTION_BYTE,
  SEALED_ROUTE,
  SEALED_SYNAPSE_NAME,
  SEALED_VERSION,
} from './constants.js';
import { SealedError } from './errors.js';
import { publicKeyOf, type SealedDirection } from './keys.js';

/** The header values a sealed exchange is bound to, exactly as they travel. */
export interface SealedEnvelope {
  /** `bt_header_dendrite_nonce`: Unix time in ns, as a bigint (wire-protocol §3.8). */
  readonly nonce: bigint;
  /** `bt_header_dendrite_uuid`. */
  readonly uuid: string;
  /** `bt_header_dendrite_hotkey` (SS58). */
  readonly validatorHotkey: string;
  /** `bt_header_axon_hotkey` (SS58): the miner's hotkey as the chain lists it. */
  readonly minerHotkey: string;
  /** The `timeout` header in seconds, or null when absent. Bound so it cannot be stretched in transit. */
  readonly timeout: number | null;
}

/** Resolved public keys of an envelope, computed once per open/seal. */
export interface EnvelopeKeys {
  readonly validator: Uint8Array;
  readonly miner: Uint8Array;
}

const UUID_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** Checks what the construction relies on; `code` says whose fault a failure is. */
export function checkEnvelope(envelope: SealedEnvelope, code: 'invalid_input' | 'malformed'): EnvelopeKeys {
  if (typeof envelope.nonce !== 'bigint' || envelope.nonce < 0n || envelope.nonce > U64_MAX) {
    throw new SealedError(code, 'the nonce must be a bigint in [0, 2^64)');
  }
  if (!UUID_PATTERN.test(envelope.uuid))
    throw new SealedError(code, 'the uuid must be 1–128 printable ASCII characters');
  if (envelope.timeout !== null && (!Number.isFinite(envelope.timeout) || envelope.timeout < 0)) {
    throw new SealedError(code, 'the timeout must be a finite number of seconds or null');
  }
  try {
    return {
      validator: publicKeyOf(envelope.validatorHotkey, 'the validator hotkey'),
      miner: publicKeyOf(envelope.minerHotkey, 'the miner hotkey'),
    };
  } catch (error) {
    if (error instanceof SealedError) throw new SealedError(code, error.message);
    throw error;
  }
}

/**
 * `{nonce}.{validator}.{miner}.{uuid}.{bodyHash}`: the standard dendrite message of wire-protocol
 * §3.7 with the sealed payload's hash as body hash. The validator signs it for a request, the miner
 * for a response; the payload's direction byte keeps the two from standing in for each other.
 */
export function signatureMessage(envelope: SealedEnvelope, bodyHash: string): string {
  return `${envelope.nonce}.${envelope.validatorHotkey}.${envelope.minerHotkey}.${envelope.uuid}.${bodyHash}`;
}

/**
 * AD = version ‖ direction ‖ lp(AD_LABEL) ‖ lp(route) ‖ lp(synapse name) ‖ u64be(nonce) ‖ lp(uuid)
 *      ‖ validator public key (32) ‖ miner public key (32) ‖ lp(timeout text) ‖ lp(request hash)
 *
 * The timeout text is its canonical JSON number (`200` for a `200.0` header) or `null`. The request
 * hash is empty in a request and the 32 raw bytes of the request's body hash in a response, so a
 * response answers one request ciphertext and no other.
 */
export function associatedData(
  envelope: SealedEnvelope,
  keys: EnvelopeKeys,
  direction: SealedDirection,
  requestBodyHash?: string,
): Uint8Array {
  return concat(
    u8(SEALED_VERSION),
    u8(DIRECTION_BYTE[direction]),
    lengthPrefixed(AD_LABEL),
    lengthPrefixed(SEALED_ROUTE),
    lengthPrefixed(SEALED_SYNAPSE_NAME),
    u64be(envelope.nonce),
    lengthPrefixed(envelope.uuid),
    keys.validator,
    keys.miner,
    lengthPrefixed(envelope.timeout === null ? 'null' : canonicalNumber(envelope.timeout)),
    lengthPrefixed(direction === 'response' ? bodyHashBytes(requestBodyHash) : new Uint8Array(0)),
  );
}

/** First 16 bytes of SHA3-256(AD): lets a receiver tell "sealed for another request" apart. */
export function contextTag(ad: Uint8Array): Uint8Array {
  return sha3_256(ad).slice(0, CONTEXT_TAG_LENGTH);
}

const BODY_HASH = /^[0-9a-f]{64}$/;

export function isBodyHash(value: string): boolean {
  return BODY_HASH.test(value);
}

function bodyHashBytes(hash: string | undefined): Uint8Array {
  if (hash === undefined || !isBodyHash(hash)) {
    throw new SealedError('invalid_input', 'a response needs the request body hash (64 lowercase hex)');
  }
  return hexToBytes(hash);
}
