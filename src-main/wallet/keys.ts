/**
 * sr25519 key material as btcli derives and stores it (wire-protocol §9.2, §9.3): mnemonic →
 * mini-secret (`secretSeed`) → key pair, the canonical `privateKey` of key files versus the
 * scalar × 8 form of polkadot-js, SS58 addresses with prefix 42, and the @polkadot/keyring pair
 * that the chain and axon code sign with.
 */
import { ristretto255 } from '@noble/curves/ed25519.js';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { hexToU8a, isHex, u8aEq, u8aToHex } from '@polkadot/util';
import {
  decodeAddress,
  encodeAddress,
  mnemonicGenerate,
  mnemonicToMiniSecret,
  mnemonicValidate,
  sr25519PairFromSeed,
} from '@polkadot/util-crypto';
import { WalletError, type WalletErrorCode } from './errors.js';
import type { KeyfileData } from './keyfile-json.js';

/** Bittensor uses the generic Substrate prefix, so addresses start with `5` (wire-protocol §9.3). */
export const SS58_PREFIX = 42;

/** The sentence lengths BIP-39 allows; btcli's default is 12 (wire-protocol §9.1). */
export const MNEMONIC_WORD_COUNTS = [12, 15, 18, 21, 24] as const;
export type MnemonicWordCount = (typeof MNEMONIC_WORD_COUNTS)[number];

/** What makes a key able to sign. Never logged, never put in an error. */
export interface KeySecret {
  /** 64 bytes in the polkadot-js / @scure form: scalar × 8 ‖ nonce (wire-protocol §9.2). */
  readonly secretKey: Uint8Array;
  /** The 32-byte mini-secret, when the key came from a mnemonic or a seed. */
  readonly secretSeed?: Uint8Array;
  /** The BIP-39 sentence, when the key came from one. */
  readonly mnemonic?: string;
}

/** A hotkey or coldkey: always its public half, and its secret when we have it. */
export interface WalletKey {
  readonly publicKey: Uint8Array;
  readonly ss58Address: string;
  readonly secret?: KeySecret;
}

/** A fresh English mnemonic of `words` words from the system's secure random source. */
export function generateMnemonic(words: MnemonicWordCount = 12): string {
  if (!MNEMONIC_WORD_COUNTS.includes(words)) throw new WalletError('invalid_input', 'a mnemonic has 12 to 24 words');
  return mnemonicGenerate(words);
}

/** One space between lower-case words, so a pasted sentence with stray spaces still works. */
export function normalizeMnemonic(mnemonic: string): string {
  return mnemonic.trim().toLowerCase().split(/\s+/).join(' ');
}

/**
 * The key of a BIP-39 mnemonic, derived the Substrate way (wire-protocol §9.2): the PBKDF2 input is
 * the mnemonic's entropy, not its sentence, with an empty passphrase; the first 32 bytes are the
 * mini-secret, expanded in Ed25519 mode.
 */
export function keyFromMnemonic(mnemonic: string, errorCode: WalletErrorCode = 'invalid_input'): WalletKey {
  const phrase = normalizeMnemonic(mnemonic);
  // The sentence is a secret, so the message says what is wrong without repeating it.
  if (!mnemonicValidate(phrase)) {
    throw new WalletError(
      errorCode,
      'not a valid BIP-39 English mnemonic (a misspelt or missing word, or a failing checksum)',
    );
  }
  const miniSecret = mnemonicToMiniSecret(phrase);
  return withMnemonic(keyFromSeed(miniSecret), phrase);
}

/** The key of a 32-byte mini-secret (the keyfile's `secretSeed`, btcli's `--seed`). */
export function keyFromSeed(seed: Uint8Array | string, errorCode: WalletErrorCode = 'invalid_input'): WalletKey {
  const miniSecret = typeof seed === 'string' ? parseHexBytes(seed, 32, 'a seed', errorCode) : seed;
  if (miniSecret.length !== 32) throw new WalletError(errorCode, 'a seed is 32 bytes');
  const pair = sr25519PairFromSeed(miniSecret);
  return {
    publicKey: pair.publicKey,
    ss58Address: encodeAddress(pair.publicKey, SS58_PREFIX),
    secret: { secretKey: pair.secretKey, secretSeed: Uint8Array.from(miniSecret) },
  };
}

/**
 * The key of a keyfile `privateKey`: 64 bytes, canonical scalar ‖ nonce. Files made from a
 * derivation URI such as `//Alice` have nothing else (wire-protocol §9.2).
 */
export function keyFromPrivateKey(
  privateKey: Uint8Array | string,
  errorCode: WalletErrorCode = 'invalid_input',
): WalletKey {
  const canonical =
    typeof privateKey === 'string' ? parseHexBytes(privateKey, 64, 'a private key', errorCode) : privateKey;
  if (canonical.length !== 64) throw new WalletError(errorCode, 'a private key is 64 bytes');
  const scalar = readScalar(canonical);
  if (scalar === 0n || scalar >= RISTRETTO_ORDER) {
    throw new WalletError(errorCode, 'a private key must hold a canonical sr25519 scalar');
  }
  // schnorrkel: public = canonical scalar × the Ristretto base point.
  const publicKey = ristretto255.Point.BASE.multiply(scalar).toBytes();
  return {
    publicKey,
    ss58Address: encodeAddress(publicKey, SS58_PREFIX),
    secret: { secretKey: expandPrivateKey(canonical) },
  };
}

/** A key that can only verify and receive: from a 32-byte public key. */
export function keyFromPublicKey(
  publicKey: Uint8Array | string,
  errorCode: WalletErrorCode = 'invalid_input',
): WalletKey {
  const bytes = typeof publicKey === 'string' ? parseHexBytes(publicKey, 32, 'a public key', errorCode) : publicKey;
  if (bytes.length !== 32) throw new WalletError(errorCode, 'a public key is 32 bytes');
  return { publicKey: Uint8Array.from(bytes), ss58Address: encodeAddress(bytes, SS58_PREFIX) };
}

/**
 * A public-only key from an SS58 address. Any valid prefix is read (as sp-core does); the
 * address we keep and show is always the prefix-42 one (wire-protocol §9.3).
 */
export function keyFromSs58(address: string, errorCode: WalletErrorCode = 'invalid_input'): WalletKey {
  let publicKey: Uint8Array;
  try {
    publicKey = decodeAddress(address.trim());
  } catch {
    throw new WalletError(errorCode, `${JSON.stringify(address.trim())} is not a valid SS58 address`);
  }
  if (publicKey.length !== 32) throw new WalletError(errorCode, 'an sr25519 address holds a 32-byte public key');
  return keyFromPublicKey(publicKey, errorCode);
}

/** The SS58 (prefix 42) address of a public key. */
export function toSs58(publicKey: Uint8Array): string {
  return encodeAddress(publicKey, SS58_PREFIX);
}

/**
 * Key file → key, with bittensor-wallet's precedence: `secretPhrase`, then `secretSeed`, then
 * `privateKey`, then the public fields (wire-protocol §9.2). Public fields that are present must
 * match the secret: a file whose address is not the address it signs for is refused as corrupt
 * rather than trusted, a check btcli does not make.
 */
export function keyFromKeyfile(data: KeyfileData, source = 'key file'): WalletKey {
  const key = keyFromKeyfileFields(data, source);
  const claimed: [string, string | undefined][] = [
    ['publicKey', data.publicKey],
    ['accountId', data.accountId],
  ];
  for (const [name, value] of claimed) {
    if (value === undefined) continue;
    const bytes = tryHexBytes(value, 32);
    if (!bytes || !u8aEq(bytes, key.publicKey)) {
      throw new WalletError('corrupt_file', `${source}: ${name} does not match the key`);
    }
  }
  if (data.ss58Address !== undefined && !sameAccount(data.ss58Address, key.publicKey)) {
    throw new WalletError('corrupt_file', `${source}: ss58Address does not match the key`);
  }
  return key;
}

function keyFromKeyfileFields(data: KeyfileData, source: string): WalletKey {
  try {
    if (data.secretPhrase !== undefined) return keyFromMnemonic(data.secretPhrase, 'corrupt_file');
    if (data.secretSeed !== undefined) return keyFromSeed(data.secretSeed, 'corrupt_file');
    if (data.privateKey !== undefined) return keyFromPrivateKey(data.privateKey, 'corrupt_file');
    if (data.ss58Address !== undefined) return keyFromSs58(data.ss58Address, 'corrupt_file');
    // Not in btwallet's list, but a file with only a public key still says whose it is.
    const publicKey = data.publicKey ?? data.accountId;
    if (publicKey !== undefined) return keyFromPublicKey(publicKey, 'corrupt_file');
  } catch (error) {
    if (error instanceof WalletError) throw new WalletError('corrupt_file', `${source}: ${error.message}`);
    throw error;
  }
  throw new WalletError('corrupt_file', `${source} holds no key`);
}

/** Key → keyfile fields with everything we know (what btcli writes for a secret key file). */
export function keyToKeyfile(key: WalletKey): KeyfileData {
  const data: KeyfileData = keyToPublicKeyfile(key);
  if (key.secret) {
    data.privateKey = u8aToHex(canonicalPrivateKey(key.secret.secretKey));
    if (key.secret.mnemonic !== undefined) data.secretPhrase = key.secret.mnemonic;
    if (key.secret.secretSeed !== undefined) data.secretSeed = u8aToHex(key.secret.secretSeed);
  }
  return data;
}

/** Key → the three public fields of `coldkeypub.txt` and `<hotkey>pub.txt` (wire-protocol §9.2). */
export function keyToPublicKeyfile(key: WalletKey): KeyfileData {
  const hex = u8aToHex(key.publicKey);
  return { accountId: hex, publicKey: hex, ss58Address: key.ss58Address };
}

/** Drops the secret: what may be shown, listed or written to a pub file. */
export function publicPart(key: WalletKey): WalletKey {
  return { publicKey: key.publicKey, ss58Address: key.ss58Address };
}

const keyring = new Keyring({ type: 'sr25519', ss58Format: SS58_PREFIX });

/**
 * The signing pair for @polkadot/api and the axon/dendrite code: type sr25519, SS58 format 42.
 * The pair is not added to any shared keyring, so dropping it is enough to forget it.
 */
export function toKeyringPair(key: WalletKey, name?: string): KeyringPair {
  if (!key.secret) throw new WalletError('invalid_input', 'this key has no secret part and cannot sign');
  return keyring.createFromPair(
    { publicKey: key.publicKey, secretKey: key.secret.secretKey },
    name === undefined ? {} : { name },
    'sr25519',
  );
}

// The order of the Ristretto255 group (the sr25519 scalar field), ℓ = 2^252 + 27742…
const RISTRETTO_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

/**
 * Keyfile `privateKey` (canonical scalar) → polkadot-js `secretKey` (scalar × 8): the first 32
 * bytes are a little-endian integer multiplied by 8; the nonce (bytes 32..63) is kept
 * (wire-protocol §9.2, verified by TV-9).
 */
export function expandPrivateKey(canonical: Uint8Array): Uint8Array {
  if (canonical.length !== 64) throw new WalletError('invalid_input', 'a private key is 64 bytes');
  const out = Uint8Array.from(canonical);
  out.set(writeScalar(readScalar(canonical) * 8n), 0);
  return out;
}

/** The reverse of {@link expandPrivateKey}: divide by 8 before writing a key file. */
export function canonicalPrivateKey(expanded: Uint8Array): Uint8Array {
  if (expanded.length !== 64) throw new WalletError('invalid_input', 'a secret key is 64 bytes');
  const scalar = readScalar(expanded);
  if (scalar % 8n !== 0n) throw new WalletError('invalid_input', 'not a scalar × 8 secret key');
  const out = Uint8Array.from(expanded);
  out.set(writeScalar(scalar / 8n), 0);
  return out;
}

function readScalar(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = 31; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] ?? 0);
  return value;
}

function writeScalar(value: bigint): Uint8Array {
  if (value >= 2n ** 256n) throw new WalletError('invalid_input', 'scalar out of range');
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return out;
}

function withMnemonic(key: WalletKey, mnemonic: string): WalletKey {
  if (!key.secret) return key;
  return { ...key, secret: { ...key.secret, mnemonic } };
}

/** Hex with or without `0x`, of exactly `length` bytes. */
function parseHexBytes(value: string, length: number, what: string, code: WalletErrorCode): Uint8Array {
  const bytes = tryHexBytes(value, length);
  if (!bytes) throw new WalletError(code, `${what} is ${length} bytes of hex (0x…)`);
  return bytes;
}

function tryHexBytes(value: string, length: number): Uint8Array | undefined {
  const trimmed = value.trim();
  const prefixed = trimmed.startsWith('0x') || trimmed.startsWith('0X') ? `0x${trimmed.slice(2)}` : `0x${trimmed}`;
  if (!isHex(prefixed) || prefixed.length !== 2 + 2 * length) return undefined;
  return hexToU8a(prefixed);
}

function sameAccount(address: string, publicKey: Uint8Array): boolean {
  try {
    return u8aEq(decodeAddress(address.trim()), publicKey);
  } catch {
    return false;
  }
}
