/**
 * Test-only keys and envelopes for the sealed synapse tests: the well-known Substrate dev accounts
 * (//Alice … //Dave, the same keys as wire-protocol TV-3) and a fixed random source. Nothing in
 * the app imports this file.
 */
import { DEV_PHRASE } from '@polkadot/keyring';
import { keyExtractPath, keyFromPath, mnemonicToMiniSecret, sr25519PairFromSeed } from '@polkadot/util-crypto';
import type { SealedEnvelope } from './envelope.js';
import { hotkeyOf, type Sr25519Keypair } from './keys.js';
import type { RandomSource } from './payload.js';
import type { SealedRequestInputs } from './inputs.js';

function devKey(uri: string): Sr25519Keypair {
  const root = sr25519PairFromSeed(mnemonicToMiniSecret(DEV_PHRASE));
  const pair = keyFromPath(root, keyExtractPath(uri).path, 'sr25519');
  return { publicKey: pair.publicKey, secretKey: pair.secretKey };
}

/** The validator of most tests (TV-3's dendrite hotkey). */
export const ALICE = devKey('//Alice');
/** The miner of most tests (TV-3's axon hotkey). */
export const BOB = devKey('//Bob');
/** Another miner. */
export const CHARLIE = devKey('//Charlie');
/** Another validator. */
export const DAVE = devKey('//Dave');

/** TV-3 / TV-5 values. */
export const TV3 = {
  nonce: 1717171717123456789n,
  uuid: '5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a',
  validatorHotkey: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY',
  minerHotkey: '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty',
  emptyBodyHash: 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a',
  message:
    '1717171717123456789.5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY.5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty.5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a.a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a',
  signature:
    '0x9225bc71f57c1907272eb7d81e8336e9c15d128b05e28af54de6a9e37c75fa785ec1876824a03a78261ab74b9391516f160b445e53e4dd0a01a11959212d2b82',
} as const;

/** The TV-5 prompt as a validator sends it. */
export const INPUTS: SealedRequestInputs = {
  text_input: 'Lo-fi hip hop beat with mellow piano and soft rain',
  model_name: 'facebook/musicgen-medium',
  duration: 755,
};

export const TIMEOUT = 200;

/** The standard request of the tests: Alice queries Bob with TV-3's nonce and uuid. */
export function envelope(overrides: Partial<SealedEnvelope> = {}): SealedEnvelope {
  return {
    nonce: TV3.nonce,
    uuid: TV3.uuid,
    validatorHotkey: hotkeyOf(ALICE),
    minerHotkey: hotkeyOf(BOB),
    timeout: TIMEOUT,
    ...overrides,
  };
}

/** Bytes 0, 1, 2, … : a deterministic "random" source for known-answer payloads. */
export const COUNTING_RANDOM: RandomSource = (length) => Uint8Array.from({ length }, (_, i) => i);

/** TV-6's samples (float32 values), then a few edge cases of the float32 format. */
export const SAMPLES = Float32Array.from([
  0.0, -0.000030517578125, 0.5, 1e-5, 0.10000000149011612, -0, 1, -1, 1.401298464324817e-45, 3.4028234663852886e38,
]);
