/**
 * sr25519 signatures of the wire protocol (wire-protocol §3.7, §4.3), and our own signature over
 * success responses (§8.1). Messages are signed as UTF-8 text: never hex-decoded, even if one
 * started with `0x` (ours never do).
 */
import type { KeyringPair } from '@polkadot/keyring/types';
import { isHex, stringToU8a, u8aToHex } from '@polkadot/util';
import { decodeAddress, signatureVerify } from '@polkadot/util-crypto';

/** `0x` + 128 hex digits: the only form Python verifiers accept (§3.7). */
const SIGNATURE_TEXT = /^0x[0-9a-fA-F]{128}$/;

/** The dendrite's signed message: `nonce.dendriteHotkey.axonHotkey.uuid.bodyHash` (§3.7). */
export function dendriteMessage(parts: {
  nonce: bigint | null;
  dendriteHotkey: string | null;
  axonHotkey: string;
  uuid: string | null;
  bodyHash: string | null;
}): string {
  // A missing value is written `None`, as Python's f-string does (§4.5 step 2).
  const text = (value: bigint | string | null): string => (value === null ? 'None' : String(value));
  return `${text(parts.nonce)}.${text(parts.dendriteHotkey)}.${parts.axonHotkey}.${text(parts.uuid)}.${text(parts.bodyHash)}`;
}

/** The axon's message in error responses: `axonNonce.dendriteHotkey.axonHotkey.axonUuid` (§4.3, TV-4). */
export function axonMessage(parts: {
  nonce: bigint;
  dendriteHotkey: string | null;
  axonHotkey: string;
  uuid: string;
}): string {
  return `${parts.nonce}.${parts.dendriteHotkey ?? 'None'}.${parts.axonHotkey}.${parts.uuid}`;
}

/**
 * Our signature over a success response (not part of the Python protocol; Python ignores it). The
 * domain tag keeps it from ever reading as a request message (those start with a digit), and the
 * request's nonce and uuid bind the answer to the question.
 */
export function responseMessage(parts: {
  axonNonce: bigint;
  dendriteHotkey: string;
  axonHotkey: string;
  axonUuid: string;
  dendriteNonce: bigint;
  dendriteUuid: string;
  bodyHash: string;
}): string {
  return [
    'bittaudio-response-v1',
    parts.axonNonce,
    parts.dendriteHotkey,
    parts.axonHotkey,
    parts.axonUuid,
    parts.dendriteNonce,
    parts.dendriteUuid,
    parts.bodyHash,
  ].join('.');
}

/** `0x` + lowercase hex of an sr25519 signature over the UTF-8 bytes of `message`. */
export function signMessage(pair: KeyringPair, message: string): string {
  return u8aToHex(pair.sign(stringToU8a(message)));
}

/** The reason a hotkey text is not usable as an sr25519 public key, or undefined when it is. */
export function hotkeyProblem(hotkey: string | null): string | undefined {
  if (hotkey === null || hotkey === '') return 'No SS58 formatted address or public key provided.';
  if (isHex(hotkey)) return 'Expected an SS58 address, got a hex public key.';
  try {
    decodeAddress(hotkey);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Whether `signature` is a valid sr25519 signature of `message` by `hotkey` (an SS58 address).
 * The polkadot-js `<Bytes>…</Bytes>` wrapping is accepted too, as Python verifiers do (§3.7).
 */
export function verifySignature(message: string, signature: string | null, hotkey: string): boolean {
  if (signature === null || !SIGNATURE_TEXT.test(signature)) return false;
  try {
    const result = signatureVerify(stringToU8a(message), signature, hotkey);
    return result.isValid && result.crypto === 'sr25519';
  } catch {
    return false;
  }
}
