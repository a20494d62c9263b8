/** sr25519 over the UTF-8 message, `0x` + 128 lowercase hex on the wire (wire-protocol §3.7). */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { sr25519Sign, sr25519Verify } from '@polkadot/util-crypto';
import { utf8 } from './bytes.js';
import type { Sr25519Keypair } from './keys.js';

const SIGNATURE = /^0x[0-9a-fA-F]{128}$/;

export function signMessage(keypair: Sr25519Keypair, message: string): string {
  return `0x${bytesToHex(sr25519Sign(utf8(message), keypair))}`;
}

/**
 * Plain message only: unlike the plaintext route, the sealed route never accepts the polkadot-js
 * `<Bytes>…</Bytes>` wrapping, since both ends are ours. A malformed signature is simply false.
 */
export function verifyMessage(message: string, signature: string, publicKey: Uint8Array): boolean {
  if (!SIGNATURE.test(signature)) return false;
  try {
    return sr25519Verify(utf8(message), hexToBytes(signature.slice(2)), publicKey);
  } catch {
    return false;
  }
}
