/** Every single-byte change is rejected, at the layer that should catch it (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha3Hex, toBase64 } from './bytes.js';
import { AEAD_NONCE_LENGTH, COMMITMENT_LENGTH, CONTEXT_TAG_LENGTH, MUSIC_MODEL_NAMES } from './constants.js';
import { signatureMessage } from './envelope.js';
import { SealedError, type SealedErrorCode } from './errors.js';
import { hotkeyOf } from './keys.js';
import { openRequest, sealRequest, type OpenRequestArgs } from './request.js';
import { openResponse, sealResponse } from './response.js';
import { signMessage } from './signature.js';
import { ALICE, BOB, INPUTS, SAMPLES, TV3, envelope } from './test-fixtures.js';

function codeOf(fn: () => unknown): SealedErrorCode | 'none' {
  try {
    fn();
  } catch (error) {
    if (error instanceof SealedError) return error.code;
    throw error;
  }
  return 'none';
}

function flip(bytes: Uint8Array, index: number, mask: number): Uint8Array {
  const out = bytes.slice();
  out[index] = (out[index] ?? 0) ^ mask;
  return out;
}

/** Which check a re-signed payload with byte `index` changed must fail (payload.ts layout). */
function layerFor(index: number): SealedErrorCode {
  if (index === 0) return 'unsupported_version';
  if (index < 2 + CONTEXT_TAG_LENGTH) return 'replay'; // direction byte and context tag
  if (index < 2 + CONTEXT_TAG_LENGTH + COMMITMENT_LENGTH) return 'wrong_key';
  return 'bad_ciphertext'; // AEAD nonce, ciphertext, tag
}

const env = envelope();
const request = sealRequest({
  validator: ALICE,
  minerHotkey: env.minerHotkey,
  nonce: env.nonce,
  uuid: env.uuid,
  timeout: env.timeout,
  inputs: INPUTS,
});
const received: OpenRequestArgs = {
  miner: BOB,
  envelope: request.envelope,
  bodyHash: request.bodyHash,
  signature: request.signature,
  sealedPayload: request.sealedPayload,
};
const response = sealResponse({ miner: BOB, request: openRequest(received), outputs: { music_output: SAMPLES } });

const flipAt = (length: number) =>
  fc.record({ index: fc.integer({ min: 0, max: length - 1 }), mask: fc.integer({ min: 1, max: 255 }) });

describe('single-byte changes to a sealed request', () => {
  it('in transit: any flipped byte is refused by the signed body hash', () => {
    fc.assert(
      fc.property(flipAt(request.ciphertext.length), ({ index, mask }) => {
        const payload = toBase64(flip(request.ciphertext, index, mask));
        expect(codeOf(() => openRequest({ ...received, sealedPayload: payload }))).toBe('body_hash_mismatch');
      }),
    );
  });

  it('even re-hashed and re-signed by the validator: refused by the payload layer that owns the byte', () => {
    fc.assert(
      fc.property(flipAt(request.ciphertext.length), ({ index, mask }) => {
        const payload = flip(request.ciphertext, index, mask);
        const bodyHash = sha3Hex(payload);
        const args = {
          ...received,
          bodyHash,
          signature: signMessage(ALICE, signatureMessage(env, bodyHash)),
          sealedPayload: toBase64(payload),
        };
        expect(codeOf(() => openRequest(args))).toBe(layerFor(index));
      }),
    );
  });

  it('any flipped byte of the signature is refused', () => {
    const signature = Buffer.from(request.signature.slice(2), 'hex');
    fc.assert(
      fc.property(flipAt(signature.length), ({ index, mask }) => {
        const changed = `0x${Buffer.from(flip(signature, index, mask)).toString('hex')}`;
        expect(codeOf(() => openRequest({ ...received, signature: changed }))).toBe('bad_signature');
      }),
    );
  });

  it('any other nonce or uuid in the envelope is refused', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).filter((nonce) => nonce !== TV3.nonce),
        (nonce) => {
          expect(codeOf(() => openRequest({ ...received, envelope: { ...env, nonce } }))).toBe('bad_signature');
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.stringMatching(/^[\x21-\x7e]{1,40}$/).filter((uuid) => uuid !== TV3.uuid),
        (uuid) => {
          expect(codeOf(() => openRequest({ ...received, envelope: { ...env, uuid } }))).toBe('bad_signature');
        },
      ),
    );
  });
});

describe('single-byte changes to a sealed response', () => {
  const args = { validator: ALICE, request, sealedPayload: response.sealedPayload, signature: response.signature };

  it('in transit: any flipped byte is refused by the miner signature', () => {
    fc.assert(
      fc.property(flipAt(response.ciphertext.length), ({ index, mask }) => {
        const payload = toBase64(flip(response.ciphertext, index, mask));
        expect(codeOf(() => openResponse({ ...args, sealedPayload: payload }))).toBe('bad_signature');
      }),
      { numRuns: 50 },
    );
  });

  it('even re-signed by the miner: refused by the payload layer that owns the byte', () => {
    fc.assert(
      fc.property(flipAt(response.ciphertext.length), ({ index, mask }) => {
        const payload = flip(response.ciphertext, index, mask);
        const signature = signMessage(BOB, signatureMessage(env, sha3Hex(payload)));
        expect(codeOf(() => openResponse({ ...args, sealedPayload: toBase64(payload), signature }))).toBe(
          layerFor(index),
        );
      }),
      { numRuns: 50 },
    );
  });

  it('the AEAD nonce region is where it is documented', () => {
    expect(layerFor(2 + CONTEXT_TAG_LENGTH + COMMITMENT_LENGTH)).toBe('bad_ciphertext');
    expect(layerFor(2 + CONTEXT_TAG_LENGTH + COMMITMENT_LENGTH + AEAD_NONCE_LENGTH - 1)).toBe('bad_ciphertext');
  });
});

describe('round trip for arbitrary inputs and envelopes', () => {
  it('opens to exactly what was sealed', () => {
    fc.assert(
      fc.property(
        fc.record({
          text_input: fc.string({ unit: 'grapheme', maxLength: 256 }),
          model_name: fc.constantFrom(null, ...MUSIC_MODEL_NAMES),
          duration: fc.option(fc.nat({ max: 4000 })),
        }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.stringMatching(/^[\x21-\x7e]{1,64}$/),
        fc.option(fc.double({ min: 0, max: 1e6, noNaN: true })),
        (inputs, nonce, uuid, timeout) => {
          const sealed = sealRequest({ validator: ALICE, minerHotkey: hotkeyOf(BOB), nonce, uuid, timeout, inputs });
          const opened = openRequest({
            miner: BOB,
            envelope: sealed.envelope,
            bodyHash: sealed.bodyHash,
            signature: sealed.signature,
            sealedPayload: sealed.sealedPayload,
          });
          expect(opened.inputs).toEqual(inputs);
        },
      ),
      { numRuns: 40 },
    );
  });
});
