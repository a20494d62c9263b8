/**
 * Why a sealed exchange was refused. The code is for programs (the axon maps it to an HTTP status,
 * the dendrite to a client-side result); the message is for logs. Messages never carry a prompt,
 * a sample, a key or a shared secret: the prompt is exactly what sealed mode exists to hide.
 */
export type SealedErrorCode =
  | 'invalid_input' // the caller handed us something we cannot seal (bad nonce, non-finite sample…)
  | 'malformed' // the body or the sealed payload does not have the documented shape
  | 'unsupported_version' // a payload version this build does not speak
  | 'body_hash_mismatch' // sha3-256 of the payload is not the signed `computed_body_hash`
  | 'bad_signature' // the sr25519 signature does not verify for the expected hotkey
  | 'replay' // the payload was sealed for another request (nonce, uuid, hotkeys, timeout, route, direction)
  | 'wrong_key' // addressed to another hotkey, or sealed under a key pair that is not the claimed one
  | 'bad_ciphertext' // the AEAD tag does not authenticate the ciphertext
  | 'bad_plaintext' // it decrypted, but to something that is not the canonical encoding of valid fields
  | 'downgrade'; // plaintext where sealed is required: plaintext fields on the sealed route, a 404 from a pinned miner

export class SealedError extends Error {
  override readonly name = 'SealedError';
  constructor(
    readonly code: SealedErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The HTTP status a TS axon answers on the sealed route when opening a request fails. Never 404:
 * on this route a 404 means "sealed mode unsupported" and makes validators fall back to plaintext.
 * 401 for what the plaintext route also answers 401 for (authentication and replay, wire-protocol
 * §4.5); 400 for a body that is not a well-formed sealed request.
 */
export function sealedErrorStatus(code: SealedErrorCode): 400 | 401 | 500 {
  switch (code) {
    case 'body_hash_mismatch':
    case 'bad_signature':
    case 'replay':
    case 'wrong_key':
    case 'bad_ciphertext':
      return 401;
    case 'malformed':
    case 'unsupported_version':
    case 'bad_plaintext':
    case 'downgrade':
      return 400;
    case 'invalid_input':
      return 500;
  }
}
