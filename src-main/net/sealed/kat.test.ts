/**
 * The documented construction (docs/sealed-synapse.md), rebuilt here from node:crypto and
 * libsodium rather than from the modules under test, plus pinned known-answer payloads so that a
 * refactor cannot change the wire format unnoticed.
 */
import { createHash, hkdfSync } from 'node:crypto';
import { sr25519Agreement } from '@polkadot/util-crypto';
import sodium from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, it } from 'vitest';
import { openRequest, sealRequest } from './request.js';
import { openResponse, sealResponse } from './response.js';
import { ALICE, BOB, COUNTING_RANDOM, INPUTS, TIMEOUT, TV3 } from './test-fixtures.js';

const lp = (value: string | Uint8Array): Buffer => {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
};

const u64 = (value: bigint): Buffer => {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(value);
  return out;
};

/** The key schedule of the doc, §3. */
function independentKey(direction: 0x01 | 0x02, label: 'aead-key' | 'key-commitment'): Buffer {
  const shared = sr25519Agreement(ALICE.secretKey, BOB.publicKey);
  const salt = Buffer.concat([u64(TV3.nonce), Buffer.from(TV3.uuid)]);
  const info = Buffer.concat([
    lp('bittaudio/sealed-synapse/v1/kdf'),
    Buffer.of(direction),
    lp('/MusicGenerationSealed'),
    ALICE.publicKey,
    BOB.publicKey,
    lp(label),
  ]);
  return Buffer.from(hkdfSync('sha256', shared, salt, info, 32));
}

/** The AD of the doc, §4. */
function independentAd(direction: 0x01 | 0x02, requestHash: string): Buffer {
  return Buffer.concat([
    Buffer.of(1, direction),
    lp('bittaudio/sealed-synapse/v1/ad'),
    lp('/MusicGenerationSealed'),
    lp('MusicGenerationSealed'),
    u64(TV3.nonce),
    lp(TV3.uuid),
    ALICE.publicKey,
    BOB.publicKey,
    lp('200'),
    lp(Buffer.from(requestHash, 'hex')),
  ]);
}

const sealed = sealRequest({
  validator: ALICE,
  minerHotkey: TV3.minerHotkey,
  nonce: TV3.nonce,
  uuid: TV3.uuid,
  timeout: TIMEOUT,
  inputs: INPUTS,
  random: COUNTING_RANDOM,
});

const opened = openRequest({
  miner: BOB,
  envelope: sealed.envelope,
  bodyHash: sealed.bodyHash,
  signature: sealed.signature,
  sealedPayload: sealed.sealedPayload,
});
const response = sealResponse({
  miner: BOB,
  request: opened,
  outputs: { music_output: Float32Array.of(0.5, -0.25) },
  random: COUNTING_RANDOM,
});

beforeAll(async () => {
  await sodium.ready;
});

describe('the key schedule (KAT-0, the values quoted in the doc)', () => {
  it('gives the documented shared secret, keys and commitments for //Alice → //Bob', () => {
    const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
    expect(hex(sr25519Agreement(ALICE.secretKey, BOB.publicKey))).toBe(
      'bef705d2c12dc11985336a27fec73b2a1ee57d09a06c6ee4334d48512a404c67',
    );
    expect(hex(sr25519Agreement(BOB.secretKey, ALICE.publicKey))).toBe(
      'bef705d2c12dc11985336a27fec73b2a1ee57d09a06c6ee4334d48512a404c67',
    );
    expect(independentKey(0x01, 'aead-key').toString('hex')).toBe(
      'c038f9285a29aaff172fe98b333477b6db6031b4e49d6d36a929d7092e13a9d6',
    );
    expect(independentKey(0x01, 'key-commitment').toString('hex')).toBe(
      '7471efcd17c61e85e2207840f0d8f07b6bf932dfc82ef5fce850853025c7faea',
    );
    expect(independentKey(0x02, 'aead-key').toString('hex')).toBe(
      '7458d2ecb75fbb39027b41842c28f74a6da81eb215196707c78b5ecd98606f81',
    );
    expect(independentKey(0x02, 'key-commitment').toString('hex')).toBe(
      '46eaa390e93c60567b5eced292017683f0da7d161399a319383938624a9d7324',
    );
  });
});

describe('the request payload is the documented layout', () => {
  it('version, direction, context tag, commitment, XChaCha20 nonce, then XChaCha20-Poly1305', () => {
    const payload = Buffer.from(sealed.ciphertext);
    const ad = independentAd(0x01, '');
    expect(payload[0]).toBe(1);
    expect(payload[1]).toBe(0x01);
    expect(payload.subarray(2, 18).toString('hex')).toBe(createHash('sha3-256').update(ad).digest('hex').slice(0, 32));
    expect(payload.subarray(18, 50).toString('hex')).toBe(independentKey(0x01, 'key-commitment').toString('hex'));
    expect(payload.subarray(50, 74).toString('hex')).toBe(Buffer.from(COUNTING_RANDOM(24)).toString('hex'));
    const plaintext = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      payload.subarray(74),
      ad,
      payload.subarray(50, 74),
      independentKey(0x01, 'aead-key'),
    );
    expect(Buffer.from(plaintext).toString('utf8')).toBe(
      '{"duration":755,"model_name":"facebook/musicgen-medium","text_input":"Lo-fi hip hop beat with mellow piano and soft rain"}',
    );
    expect(payload.length).toBe(74 + plaintext.length + 16);
    expect(sealed.bodyHash).toBe(createHash('sha3-256').update(payload).digest('hex'));
  });

  it('is pinned byte for byte (KAT-1)', () => {
    expect(sealed.sealedPayload).toBe(KAT1_REQUEST);
    expect(sealed.bodyHash).toBe(KAT1_BODY_HASH);
  });
});

describe('the response payload is the documented layout', () => {
  it('binds the request body hash, uses the response key, and carries float32 LE samples', () => {
    const payload = Buffer.from(response.ciphertext);
    const ad = independentAd(0x02, sealed.bodyHash);
    expect(payload[1]).toBe(0x02);
    expect(payload.subarray(18, 50).toString('hex')).toBe(independentKey(0x02, 'key-commitment').toString('hex'));
    const plaintext = Buffer.from(
      sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
        null,
        payload.subarray(74),
        ad,
        payload.subarray(50, 74),
        independentKey(0x02, 'aead-key'),
      ),
    );
    const header = '{"music_output":{"encoding":"f32le","samples":2}}';
    expect(plaintext.readUInt32BE(0)).toBe(header.length);
    expect(plaintext.subarray(4, 4 + header.length).toString()).toBe(header);
    expect(plaintext.subarray(4 + header.length).toString('hex')).toBe('0000003f000080be');
  });

  it('is pinned byte for byte (KAT-2) and opens on the validator side', () => {
    expect(response.sealedPayload).toBe(KAT2_RESPONSE);
    expect(
      openResponse({ validator: ALICE, request: sealed, sealedPayload: KAT2_RESPONSE, signature: response.signature }),
    ).toEqual({ music_output: Float32Array.of(0.5, -0.25) });
  });
});

const KAT1_REQUEST =
  'AQHi2xmpb+HuicNFiG9vqDKJdHHvzRfGHoXiIHhA8Njwe2v5Mt/ILvX86FCFMCXH+uoAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhf5/BxdyQdch0lr3RMyyCoP6D9EnpxdKGJT0Vh0gvWxKL06Cwrrzm9pdrrTonNLPL0B4RRotdRHyygG2P8oOpw+vHibLcs4+BliEmnqRpPwyQ7JaxOXb/M41oVR42KOuLuCUwYAoFlVWI567wleF4z0kFggZgg+8S6meMj7E3B6cyWqHZ9F2IgLD94=';
const KAT1_BODY_HASH = '852eb38ef28dd1bce5101fce7c9885082c3c80037e10dee738617d6df6ac6a28';
const KAT2_RESPONSE =
  'AQIOrf2i/F38Nc/2dhZvjMDXRuqjkOk8YFZ7Xs7SkgF2g/DafRYTmaMZODk4YkqdcyQAAQIDBAUGBwgJCgsMDQ4PEBESExQVFheqVwxTK07iiqViFRxvwNlLGLF+V/Ehq8vrnMmAvA8p1oQABdSI+JI08bjho+1+8ASDz3ZOcZ9aohNIJU5z7v2cBplmcC0Xlsi4YFk6sw==';
