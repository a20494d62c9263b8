/**
 * Miner → validator. The miner seals its outputs under the response key of the same request and
 * signs `{nonce}.{validator}.{miner}.{uuid}.{sha3(ciphertext)}` with its hotkey, using the nonce and
 * uuid of the request. The validator checks that signature against the miner hotkey it took from
 * the chain, never against anything the response says about itself.
 */
import { sha3Hex, toBase64 } from './bytes.js';
import { MAX_RESPONSE_PLAINTEXT } from './constants.js';
import { associatedData, checkEnvelope, isBodyHash, signatureMessage, type SealedEnvelope } from './envelope.js';
import { SealedError } from './errors.js';
import { decodeResponseOutputs, encodeResponseOutputs, type SealedResponseOutputs } from './outputs.js';
import { deriveRequestKey, hotkeyOf, type Sr25519Keypair } from './keys.js';
import { decodePayload, openPayload, sealPayload, type RandomSource } from './payload.js';
import { signMessage, verifyMessage } from './signature.js';

/** The request a response answers: its envelope and its body hash (see `OpenedRequest`, `SealedRequest`). */
export interface SealedRequestRef {
  readonly envelope: SealedEnvelope;
  readonly bodyHash: string;
}

export interface SealResponseArgs {
  /** The miner's own hotkey. */
  readonly miner: Sr25519Keypair;
  /** The request as `openRequest` returned it. */
  readonly request: SealedRequestRef;
  readonly outputs: SealedResponseOutputs;
  readonly random?: RandomSource;
}

export interface SealedResponse {
  readonly ciphertext: Uint8Array;
  /** The response body's `sealed_payload`. */
  readonly sealedPayload: string;
  /** SHA3-256 hex of `ciphertext`; also sent as the response's `computed_body_hash` header. */
  readonly bodyHash: string;
  readonly signatureMessage: string;
  /** The response body's `sealed_signature`. */
  readonly signature: string;
}

export function sealResponse(args: SealResponseArgs): SealedResponse {
  const { envelope, bodyHash: requestBodyHash } = args.request;
  const keys = checkEnvelope(envelope, 'invalid_input');
  if (envelope.minerHotkey !== hotkeyOf(args.miner)) {
    throw new SealedError('invalid_input', 'this request was addressed to another hotkey');
  }
  if (!isBodyHash(requestBodyHash)) throw new SealedError('invalid_input', 'the request body hash is not 64 hex');
  const key = deriveRequestKey({
    ours: args.miner,
    ourRole: 'miner',
    theirPublicKey: keys.validator,
    nonce: envelope.nonce,
    uuid: envelope.uuid,
    direction: 'response',
  });
  const ciphertext = sealPayload({
    direction: 'response',
    key,
    ad: associatedData(envelope, keys, 'response', requestBodyHash),
    plaintext: encodeResponseOutputs(args.outputs),
    ...(args.random ? { random: args.random } : {}),
  });
  key.key.fill(0);
  const bodyHash = sha3Hex(ciphertext);
  const message = signatureMessage(envelope, bodyHash);
  return {
    ciphertext,
    sealedPayload: toBase64(ciphertext),
    bodyHash,
    signatureMessage: message,
    signature: signMessage(args.miner, message),
  };
}

export interface OpenResponseArgs {
  /** The validator's own hotkey. */
  readonly validator: Sr25519Keypair;
  /** The request we sent (the `SealedRequest`): its `envelope.minerHotkey` is the chain's. */
  readonly request: SealedRequestRef;
  /** The response body's `sealed_payload` (base64), or its bytes. */
  readonly sealedPayload: string | Uint8Array;
  /** The response body's `sealed_signature`. */
  readonly signature: string;
}

export function openResponse(args: OpenResponseArgs): SealedResponseOutputs {
  const { envelope, bodyHash: requestBodyHash } = args.request;
  const keys = checkEnvelope(envelope, 'invalid_input');
  if (envelope.validatorHotkey !== hotkeyOf(args.validator)) {
    throw new SealedError('invalid_input', 'this request was not sent by our hotkey');
  }
  if (!isBodyHash(requestBodyHash)) throw new SealedError('invalid_input', 'the request body hash is not 64 hex');
  const ciphertext = decodePayload(args.sealedPayload, MAX_RESPONSE_PLAINTEXT);
  const bodyHash = sha3Hex(ciphertext);
  if (!verifyMessage(signatureMessage(envelope, bodyHash), args.signature, keys.miner)) {
    throw new SealedError('bad_signature', 'the response signature does not verify for the miner hotkey');
  }
  const plaintext = openPayload({
    payload: ciphertext,
    direction: 'response',
    ad: associatedData(envelope, keys, 'response', requestBodyHash),
    maxPlaintext: MAX_RESPONSE_PLAINTEXT,
    deriveKey: () =>
      deriveRequestKey({
        ours: args.validator,
        ourRole: 'validator',
        theirPublicKey: keys.miner,
        nonce: envelope.nonce,
        uuid: envelope.uuid,
        direction: 'response',
      }),
  });
  return decodeResponseOutputs(plaintext);
}
