/**
 * Validator → miner. The validator seals the inputs to the miner's hotkey and signs the standard
 * message with the payload's SHA3-256 as body hash, so the request signature now covers the prompt
 * (closing the gap of wire-protocol §8). The miner checks, in this order: addressee, body hash,
 * signature, then the payload (payload.ts), then the plaintext.
 */
import { sha3Hex, toBase64 } from './bytes.js';
import { MAX_REQUEST_PLAINTEXT } from './constants.js';
import { associatedData, checkEnvelope, signatureMessage, type SealedEnvelope } from './envelope.js';
import { SealedError } from './errors.js';
import { decodeRequestInputs, encodeRequestInputs, type SealedRequestInputs } from './inputs.js';
import { deriveRequestKey, hotkeyOf, type Sr25519Keypair } from './keys.js';
import { decodePayload, openPayload, sealPayload, type RandomSource } from './payload.js';
import { signMessage, verifyMessage } from './signature.js';

export interface SealRequestArgs {
  /** The validator's hotkey: it signs, and its secret half enters the key agreement. */
  readonly validator: Sr25519Keypair;
  /** The miner's hotkey from the chain (SS58). */
  readonly minerHotkey: string;
  readonly nonce: bigint;
  readonly uuid: string;
  /** The `timeout` header, in seconds. */
  readonly timeout: number | null;
  readonly inputs: SealedRequestInputs;
  readonly random?: RandomSource;
}

/** Everything the dendrite puts on the wire for one sealed request. */
export interface SealedRequest {
  readonly envelope: SealedEnvelope;
  /** The sealed payload bytes (what the issue calls the ciphertext). */
  readonly ciphertext: Uint8Array;
  /** Base64 of `ciphertext`: the body's `sealed_payload`. */
  readonly sealedPayload: string;
  /** SHA3-256 hex of `ciphertext`: the `computed_body_hash` header and the message's last field. */
  readonly bodyHash: string;
  readonly signatureMessage: string;
  /** `0x…` sr25519 signature: `bt_header_dendrite_signature` and the body's `dendrite.signature`. */
  readonly signature: string;
}

export function sealRequest(args: SealRequestArgs): SealedRequest {
  const envelope: SealedEnvelope = {
    nonce: args.nonce,
    uuid: args.uuid,
    validatorHotkey: hotkeyOf(args.validator),
    minerHotkey: args.minerHotkey,
    timeout: args.timeout,
  };
  const keys = checkEnvelope(envelope, 'invalid_input');
  const plaintext = encodeRequestInputs(args.inputs);
  const key = deriveRequestKey({
    ours: args.validator,
    ourRole: 'validator',
    theirPublicKey: keys.miner,
    nonce: envelope.nonce,
    uuid: envelope.uuid,
    direction: 'request',
  });
  const ciphertext = sealPayload({
    direction: 'request',
    key,
    ad: associatedData(envelope, keys, 'request'),
    plaintext,
    ...(args.random ? { random: args.random } : {}),
  });
  key.key.fill(0);
  const bodyHash = sha3Hex(ciphertext);
  const message = signatureMessage(envelope, bodyHash);
  return {
    envelope,
    ciphertext,
    sealedPayload: toBase64(ciphertext),
    bodyHash,
    signatureMessage: message,
    signature: signMessage(args.validator, message),
  };
}

export interface OpenRequestArgs {
  /** The miner's own hotkey. */
  readonly miner: Sr25519Keypair;
  /** From the request headers; `minerHotkey` is `bt_header_axon_hotkey`. */
  readonly envelope: SealedEnvelope;
  /** The `computed_body_hash` header. */
  readonly bodyHash: string;
  /** `bt_header_dendrite_signature`. */
  readonly signature: string;
  /** The body's `sealed_payload` (base64), or its bytes. */
  readonly sealedPayload: string | Uint8Array;
}

/** A request the miner has authenticated and decrypted; it is what the response is sealed against. */
export interface OpenedRequest {
  readonly envelope: SealedEnvelope;
  readonly bodyHash: string;
  readonly inputs: SealedRequestInputs;
}

export function openRequest(args: OpenRequestArgs): OpenedRequest {
  const { envelope, miner } = args;
  const keys = checkEnvelope(envelope, 'malformed');
  // Like the Python axon, the message is rebuilt with our own hotkey (wire-protocol §4.5): a request
  // for another hotkey, e.g. from a validator with a stale metagraph, is not ours to open.
  if (envelope.minerHotkey !== hotkeyOf(miner)) {
    throw new SealedError('wrong_key', 'the request is addressed to another hotkey');
  }
  const ciphertext = decodePayload(args.sealedPayload, MAX_REQUEST_PLAINTEXT);
  const bodyHash = sha3Hex(ciphertext);
  if (bodyHash !== args.bodyHash) {
    throw new SealedError('body_hash_mismatch', 'sha3-256 of sealed_payload is not the computed_body_hash header');
  }
  if (!verifyMessage(signatureMessage(envelope, bodyHash), args.signature, keys.validator)) {
    throw new SealedError('bad_signature', 'the request signature does not verify for the validator hotkey');
  }
  const plaintext = openPayload({
    payload: ciphertext,
    direction: 'request',
    ad: associatedData(envelope, keys, 'request'),
    maxPlaintext: MAX_REQUEST_PLAINTEXT,
    deriveKey: () =>
      deriveRequestKey({
        ours: miner,
        ourRole: 'miner',
        theirPublicKey: keys.validator,
        nonce: envelope.nonce,
        uuid: envelope.uuid,
        direction: 'request',
      }),
  });
  return { envelope, bodyHash, inputs: decodeRequestInputs(plaintext) };
}
