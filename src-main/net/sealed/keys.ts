/**
 * The key schedule (docs/sealed-synapse.md §3): sr25519 key agreement between the two hotkeys,
 * then HKDF-SHA256 per request and per direction.
 *
 *   shared     = sr25519Agreement(our secret, their public)        32 bytes, the same on both sides
 *   salt       = u64be(nonce) ‖ utf8(uuid)
 *   PRK        = HKDF-Extract(SHA-256, salt, shared)
 *   info       = lp(KDF_LABEL) ‖ direction byte ‖ lp(route) ‖ validator public key ‖ miner public key
 *   key        = HKDF-Expand(PRK, info ‖ lp("aead-key"), 32)
 *   commitment = HKDF-Expand(PRK, info ‖ lp("key-commitment"), 32)
 */
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { decodePair } from '@polkadot/keyring/pair/decode';
import type { KeyringPair } from '@polkadot/keyring/types';
import { decodeAddress, encodeAddress, sr25519Agreement } from '@polkadot/util-crypto';
import type { WalletKey } from '../../wallet/keys.js';
import { concat, lengthPrefixed, u64be, u8, utf8 } from './bytes.js';
import {
  AEAD_KEY_LABEL,
  COMMITMENT_LABEL,
  COMMITMENT_LENGTH,
  DIRECTION_BYTE,
  KDF_LABEL,
  SEALED_ROUTE,
} from './constants.js';
import { SealedError } from './errors.js';

/** An sr25519 hotkey that can sign and agree: the polkadot-js form (secret = scalar × 8 ‖ nonce). */
export interface Sr25519Keypair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export type SealedDirection = 'request' | 'response';
export type SealedRole = 'validator' | 'miner';

/** Bittensor's SS58 prefix (wire-protocol §9.3). */
const SS58_PREFIX = 42;

/** The keypair of a wallet hotkey that has its secret. */
export function sealedKeypair(key: WalletKey): Sr25519Keypair {
  if (!key.secret) throw new SealedError('invalid_input', 'this hotkey has no secret part');
  return { publicKey: key.publicKey, secretKey: key.secret.secretKey };
}

/**
 * The keypair of the unlocked sr25519 KeyringPair that the axon and dendrite sign with (what
 * `toKeyringPair` makes of a wallet hotkey). A KeyringPair does not hand out its secret directly;
 * its unencrypted PKCS#8 export (`encodePkcs8()` without a passphrase) holds it, and polkadot-js's own
 * `decodePair` reads it back. The result is checked against the pair's public key; the secret is
 * returned as a copy and never logged.
 */
export function sealedKeypairFromPair(pair: KeyringPair): Sr25519Keypair {
  if (pair.type !== 'sr25519') throw new SealedError('invalid_input', 'sealed mode needs an sr25519 hotkey');
  if (pair.isLocked) throw new SealedError('invalid_input', 'this hotkey is locked: unlock it first');
  let decoded: { publicKey: Uint8Array; secretKey: Uint8Array };
  try {
    decoded = decodePair(undefined, pair.encodePkcs8(), 'none');
  } catch (error) {
    throw new SealedError('invalid_input', 'the hotkey secret could not be read from its KeyringPair', {
      cause: error,
    });
  }
  const publicKey = Uint8Array.from(decoded.publicKey);
  const secretKey = Uint8Array.from(decoded.secretKey);
  if (secretKey.length !== 64 || !sameBytes(publicKey, pair.publicKey)) {
    throw new SealedError('invalid_input', 'the KeyringPair export does not hold the key of this hotkey');
  }
  return { publicKey, secretKey };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** The SS58 address (prefix 42) that stands for a keypair in headers and signature messages. */
export function hotkeyOf(keypair: Sr25519Keypair): string {
  return encodeAddress(keypair.publicKey, SS58_PREFIX);
}

/** SS58 → 32-byte public key; `what` names the role in the error. */
export function publicKeyOf(hotkey: string, what: string): Uint8Array {
  let publicKey: Uint8Array;
  try {
    publicKey = decodeAddress(hotkey);
  } catch {
    throw new SealedError('invalid_input', `${what} is not a valid SS58 address`);
  }
  if (publicKey.length !== 32) throw new SealedError('invalid_input', `${what} is not an sr25519 address`);
  return publicKey;
}

export interface DeriveRequestKeyArgs {
  /** Our hotkey: the validator's when it seals a request or opens a response, the miner's otherwise. */
  readonly ours: Sr25519Keypair;
  readonly ourRole: SealedRole;
  /** The other side's hotkey public key; the miner's comes from the chain, never from the peer. */
  readonly theirPublicKey: Uint8Array;
  /** `bt_header_dendrite_nonce` of the request (the response reuses it). */
  readonly nonce: bigint;
  /** `bt_header_dendrite_uuid` of the request. */
  readonly uuid: string;
  readonly direction: SealedDirection;
  readonly route?: string;
}

export interface SealedRequestKey {
  /** The XChaCha20-Poly1305 key. */
  readonly key: Uint8Array;
  /** Published in the payload so that a ciphertext opens under one key only (key commitment). */
  readonly commitment: Uint8Array;
}

/** The per-request, per-direction key. Both sides get the same result from opposite halves. */
export function deriveRequestKey(args: DeriveRequestKeyArgs): SealedRequestKey {
  const { ours, theirPublicKey } = args;
  if (ours.secretKey.length !== 64 || ours.publicKey.length !== 32 || theirPublicKey.length !== 32) {
    throw new SealedError('invalid_input', 'sr25519 keys are 64-byte secrets and 32-byte public keys');
  }
  let shared: Uint8Array;
  try {
    shared = sr25519Agreement(ours.secretKey, theirPublicKey);
  } catch (error) {
    // Not a Ristretto point, or the identity: no key can be agreed with it.
    throw new SealedError('invalid_input', 'the peer public key is not a valid sr25519 key', { cause: error });
  }
  // The agreement is symmetric in the two hotkeys; the roles make the key ordered.
  const [validator, miner] =
    args.ourRole === 'validator' ? [ours.publicKey, theirPublicKey] : [theirPublicKey, ours.publicKey];
  const salt = concat(u64be(args.nonce), utf8(args.uuid));
  const prk = extract(sha256, shared, salt);
  const info = concat(
    lengthPrefixed(KDF_LABEL),
    u8(DIRECTION_BYTE[args.direction]),
    lengthPrefixed(args.route ?? SEALED_ROUTE),
    validator,
    miner,
  );
  const key = expand(sha256, prk, concat(info, lengthPrefixed(AEAD_KEY_LABEL)), 32);
  const commitment = expand(sha256, prk, concat(info, lengthPrefixed(COMMITMENT_LABEL)), COMMITMENT_LENGTH);
  shared.fill(0);
  prk.fill(0);
  return { key, commitment };
}
