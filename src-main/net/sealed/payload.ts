/**
 * The sealed payload, the bytes that `sealed_payload` carries in base64 and whose SHA3-256 is the
 * signed body hash:
 *
 *   offset  size  field
 *   0       1     version (1)
 *   1       1     direction (0x01 request, 0x02 response)
 *   2       16    context tag = SHA3-256(AD)[0..16]
 *   18      32    key commitment (keys.ts)
 *   50      24    XChaCha20 nonce, random
 *   74      n+16  XChaCha20-Poly1305(key, nonce, AD) of the n plaintext bytes, tag last
 *
 * The version and direction are also the first two bytes of the AD, so the AEAD covers them; the
 * context tag and the commitment are checked in the clear first, only to say precisely why a
 * payload is refused.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import { concat, equalBytes, fromBase64, u8 } from './bytes.js';
import {
  AEAD_NONCE_LENGTH,
  COMMITMENT_LENGTH,
  CONTEXT_TAG_LENGTH,
  DIRECTION_BYTE,
  PAYLOAD_HEADER_LENGTH,
  PAYLOAD_OVERHEAD,
  SEALED_VERSION,
} from './constants.js';
import { contextTag } from './envelope.js';
import { SealedError } from './errors.js';
import type { SealedDirection, SealedRequestKey } from './keys.js';

/** A source of random bytes; tests pass a fixed one to pin known-answer payloads. */
export type RandomSource = (length: number) => Uint8Array;

export interface SealPayloadArgs {
  readonly direction: SealedDirection;
  readonly key: SealedRequestKey;
  readonly ad: Uint8Array;
  readonly plaintext: Uint8Array;
  readonly random?: RandomSource;
}

export function sealPayload(args: SealPayloadArgs): Uint8Array {
  const nonce = (args.random ?? randomBytes)(AEAD_NONCE_LENGTH);
  if (nonce.length !== AEAD_NONCE_LENGTH)
    throw new SealedError('invalid_input', 'the random source gave a short nonce');
  const sealed = xchacha20poly1305(args.key.key, nonce, args.ad).encrypt(args.plaintext);
  return concat(
    u8(SEALED_VERSION),
    u8(DIRECTION_BYTE[args.direction]),
    contextTag(args.ad),
    args.key.commitment,
    nonce,
    sealed,
  );
}

/**
 * `sealed_payload` (base64) or raw bytes → bytes, refusing anything larger than the route allows
 * before it is decoded, hashed or verified.
 */
export function decodePayload(input: string | Uint8Array, maxPlaintext: number): Uint8Array {
  const maxBytes = PAYLOAD_OVERHEAD + maxPlaintext;
  const tooLong = typeof input === 'string' ? input.length > 4 * Math.ceil(maxBytes / 3) : input.length > maxBytes;
  if (tooLong) throw new SealedError('malformed', 'the sealed payload is larger than this route allows');
  return typeof input === 'string' ? fromBase64(input) : Uint8Array.from(input);
}

export interface OpenPayloadArgs {
  readonly payload: Uint8Array;
  readonly direction: SealedDirection;
  readonly ad: Uint8Array;
  /** Called only once the payload has shown it belongs to this request: key agreement is not free. */
  readonly deriveKey: () => SealedRequestKey;
  readonly maxPlaintext: number;
}

/** Layout → direction and context (`replay`) → key commitment (`wrong_key`) → AEAD (`bad_ciphertext`). */
export function openPayload(args: OpenPayloadArgs): Uint8Array {
  const { payload } = args;
  if (payload.length < PAYLOAD_OVERHEAD) throw new SealedError('malformed', 'the sealed payload is truncated');
  if (payload.length > PAYLOAD_OVERHEAD + args.maxPlaintext) {
    throw new SealedError('malformed', 'the sealed payload is larger than this route allows');
  }
  if (payload[0] !== SEALED_VERSION) {
    throw new SealedError('unsupported_version', `sealed payload version ${payload[0]} is not supported`);
  }
  if (payload[1] !== DIRECTION_BYTE[args.direction]) {
    throw new SealedError('replay', `the sealed payload is not a ${args.direction}`);
  }
  let offset = 2;
  const context = payload.subarray(offset, (offset += CONTEXT_TAG_LENGTH));
  const commitment = payload.subarray(offset, (offset += COMMITMENT_LENGTH));
  const nonce = payload.subarray(offset, (offset += AEAD_NONCE_LENGTH));
  const sealed = payload.subarray(PAYLOAD_HEADER_LENGTH);
  if (!equalBytes(context, contextTag(args.ad))) {
    throw new SealedError('replay', `the sealed ${args.direction} was made for another request`);
  }
  const key = args.deriveKey();
  if (!equalBytes(commitment, key.commitment)) {
    throw new SealedError('wrong_key', `the sealed ${args.direction} was sealed under another key pair`);
  }
  try {
    return xchacha20poly1305(key.key, nonce, args.ad).decrypt(sealed);
  } catch (error) {
    throw new SealedError('bad_ciphertext', `the sealed ${args.direction} does not authenticate`, { cause: error });
  } finally {
    key.key.fill(0);
  }
}
