import { bls12_381 } from '@noble/curves/bls12-381.js';
import { identityPoint } from './drand.js';

/**
 * Known-answer vectors from docs spec `timelock.md` §7 (drand quicknet signatures, primitive checks, the tle
 * known-answer ciphertexts, and a real mainnet commit). Used by the tests only.
 */
export const ROUND_1000_SIGNATURE =
  'b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39';
export const ROUND_2000_SIGNATURE =
  'b6cb8f482a0b15d45936a4c4ea08e98a087e71787caee3f4d07a8a9843b1bc5423c6b3c22f446488b3137eaca799c77e';

export const QID_1000 =
  '8f5a32d53837b00fbc0ee31ce9966435a41c5188a80ce9934d3c80588b6ad6f643ebda1b83ef89e44da9ced6205cdecf';

export const GT_GENERATOR_SHA256 = 'ff9912603bb02b77bc6ec1deaeddf9d1fee40ac17a781fb13c9c6e7a9f74d22b';
export const GT_GENERATOR_FIRST_96 =
  'b68917caaa0543a808c53908f694d1b6e7b38de90ce9d83d505ca1ef1b442d2727d7d06831d8b2a7920afc71d8eb50120f17a0ea982a88591d9f43503e94a8f1abaf2e4589f65aafb7923c484540a868883432a5c60e75860b11e5465b1c9a08';

export const KAT1 = {
  round: 1000n,
  esk: '02'.repeat(32),
  plaintext: 'this is a test',
  sigma: '8aa360ec43ce78203b5572a1f60b6444b6ded93518e75952b2077b58cebc0601',
  nonce: '58a28c18576b71e5e61c3286',
  commit:
    'b996e4d1fdab6d8c63ebe3570dc74ab4eaa9d5757d4f477eaecc9a40dfee16a90c8d37d6ea5f63c23ccba6be5e4b977c16c67c3bb55a97c9b48e6df1687616cfea1e37be2d5ae7651f240af808cb182e9456a3d7cdc904463a3a09295ac6be7920000000000000003c9b32b7cc2a698cab1147efb02890b45d6670440db76feda5c83c6c66a2304f2000000000000000842ab00d77addc026ff76929bb5e9965e25cee024e522b2d51cd20f70283ff563a000000000000001e00000000000000567a1e2842f2006fd8c8cabcb261450191f6a06e75eb1b5dd86b1c96aed20c0000000000000058a28c18576b71e5e61c328608000000000000004145535f47434d5f',
} as const;

export const KAT2 = {
  round: 2000n,
  esk: '0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20',
  hotkey: 'd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d',
  uids: [0, 1, 2],
  values: [65535, 32768, 1],
  versionKey: 10000001n,
  payload:
    '80d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d0c0000010002000cffff008001008196980000000000',
  sigma: 'be8056a808e05fb900b1530848c4f5506a4894e98f542d6e5b82702b057e79a6',
  nonce: '55f292a9a75dc429aa86f5fb',
  commit:
    'a66235af2bd09b316bd18ee1bbf19a3dd9379f8788f514a4881d728a1defe9fab4cb89d036ea82e276e505e100f08cc70e2c97818a3806a3de999bb4cb6457f331ced3f20907524ff08df738c99837182629463d965a52c263cd79685626e7992000000000000000620d7b5eb4a87f3effa1acad100b5e1005e513b611af9ebc43170a71766f512f20000000000000009670fc5c62331a7228655ab6c7e282138138f4e7c6820e03308bdc995862a91963000000000000004700000000000000a184d7d5a1799f589a42d164e37e1a2fb14cf618164152e9658c15e8db3780426b95806abacfcf5aee6b3174bcb3c3cac677405aa886122178ad1927f51a5ab77928d1e1a99daa0c0000000000000055f292a9a75dc429aa86f5fb08000000000000004145535f47434d5f',
} as const;

/** Call data of a real mainnet `commitTimelockedMechanismWeights` (specVersion 467, block ~9 101 269). */
export const MAINNET_CALL = {
  callData:
    '0776070000bd04add79c4f91c9b56920e48e41d7de2bb50289966534371c16faa5a023d0052165283424fbb6f6b4121516acb75f50f2181301bd76c3df06e40409b293b2e4e6d4c5d29dfaf57239e2d21ec7a65f1fdd00905d91dee6baebc895c9deb76849c8cf2000000000000000ce281554cf945eba34e9159487c3fe6854f039ebfb99c23e56075b6782187c402000000000000000c6650336df21d47c5cbd05e202b072c38c7d9c7ff7dad2ff9811ebddb41b3e7067000000000000004b0000000000000045f7265fea37fb03a04611dac062e06e03585ba9c05a17784e6a34efb1a7f787b4b9e5c5dd615c1746f01a2806db82524a93f616fe8981c62ab4ec28fe9839b75d0608593f6f72aceaaca10c00000000000000f6e30fc8e613b20200bf45fe08000000000000004145535f47434d5fef79ed01000000000400',
  signer: '50aa5d2960d8135bcdaf080a6a8a5a592600859029b492040b74dd3c5ecbd676',
  netuid: 7,
  mecid: 0,
  commitLength: 303,
  revealRound: 32340463n,
  commitRevealVersion: 4,
} as const;

/** A local stand-in for a drand beacon (§7.5): a known secret key that can "publish" any round. */
export interface LocalBeacon {
  publicKey: Uint8Array;
  sign(round: bigint): Uint8Array;
}

/** A deterministic local beacon; the key is derived from a 48-byte seed filled with `seedByte`. */
export function localBeacon(seedByte: number): LocalBeacon {
  const { secretKey, publicKey } = bls12_381.shortSignatures.keygen(new Uint8Array(48).fill(seedByte));
  return {
    publicKey: publicKey.toBytes(true),
    sign: (round) => bls12_381.shortSignatures.sign(identityPoint(round), secretKey).toBytes(true),
  };
}
