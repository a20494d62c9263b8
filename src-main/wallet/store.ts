/**
 * btcli-compatible wallets on disk (wire-protocol §9.1):
 *
 *   <root>/<wallet>/coldkey                  $NACL-encrypted secret
 *   <root>/<wallet>/coldkeypub.txt           public, never encrypted
 *   <root>/<wallet>/hotkeys/<hotkey>         plaintext by default, $NACL with a password
 *   <root>/<wallet>/hotkeys/<hotkey>pub.txt  public
 *
 * Listing and showing read only public files and never need a password. Passwords are arguments
 * of the one call that needs them and are not kept; nothing here logs.
 */
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { PasswordKdf } from './argon2.js';
import { writeFilesAtomic, isTempName, type FileToWrite } from './atomic-write.js';
import { passwordFromEnv } from './env-password.js';
import { isErrno, WalletError } from './errors.js';
import { decodeKeyfile, detectKeyfileFormat, encodeKeyfile, isEncryptedFormat } from './keyfile.js';
import {
  generateMnemonic,
  keyFromKeyfile,
  keyFromMnemonic,
  keyFromPublicKey,
  keyFromSeed,
  keyFromSs58,
  keyToKeyfile,
  keyToPublicKeyfile,
  publicPart,
  toKeyringPair,
  type MnemonicWordCount,
  type WalletKey,
} from './keys.js';

export const DEFAULT_WALLET_NAME = 'default';
export const DEFAULT_HOTKEY_NAME = 'default';
/** New passwords shorter than this are refused; existing files open with any password. */
export const MIN_PASSWORD_LENGTH = 6;

/** `$BT_WALLET_PATH`, else `~/.bittensor/wallets` (wire-protocol §9.1). `~` is expanded. */
export function defaultWalletsDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  return expandHome(env['BT_WALLET_PATH'] || join(home, '.bittensor', 'wallets'), home);
}

export function expandHome(path: string, home: string = homedir()): string {
  if (path === '~') return home;
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(home, path.slice(2));
  return resolve(path);
}

/** Where a key comes from when it is regenerated. */
export type KeySource =
  | { mnemonic: string }
  /** The 32-byte mini-secret (`secretSeed`), hex. */
  | { seed: string };

/** Where a public-only coldkey comes from (`regen_coldkeypub`). */
export type PublicKeySource = { ss58Address: string } | { publicKey: string };

/** A key just made: its address, and the mnemonic to show the user once and then forget. */
export interface CreatedKey {
  ss58Address: string;
  mnemonic: string;
}

export interface KeyInfo {
  name: string;
  /** null when no public file says it (the reason is in `problem`). */
  ss58Address: string | null;
  /** Whether the secret file is encrypted; null when there is no secret file. */
  encrypted: boolean | null;
  problem?: string;
}

export interface WalletInfo {
  name: string;
  path: string;
  coldkey: KeyInfo;
  hotkeys: KeyInfo[];
}

export interface WalletPaths {
  dir: string;
  coldkey: string;
  coldkeypub: string;
  hotkeysDir: string;
}

export interface WalletStoreOptions {
  /** The folder of wallets; default {@link defaultWalletsDir}. */
  root?: string;
  /** Read for BT_WALLET_PATH and the BT_PW_ password variables (wire-protocol §9.6). */
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** `$NACL` key derivation; tests pass a cached one. */
  kdf?: PasswordKdf;
  /** Legacy Fernet key derivation; tests pass a cached one. */
  fernetKdf?: PasswordKdf;
}

export interface WriteOptions {
  /** Replace existing key files. Without it an existing key is an `exists` error. */
  overwrite?: boolean;
}

export class WalletStore {
  readonly root: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly kdf: PasswordKdf | undefined;
  private readonly fernetKdf: PasswordKdf | undefined;

  constructor(options: WalletStoreOptions = {}) {
    const env = options.env ?? process.env;
    const home = options.home ?? homedir();
    this.env = env;
    this.root = options.root === undefined ? defaultWalletsDir(env, home) : expandHome(options.root, home);
    this.kdf = options.kdf;
    this.fernetKdf = options.fernetKdf;
  }

  paths(wallet: string): WalletPaths {
    checkName(wallet, 'wallet');
    const dir = join(this.root, wallet);
    return {
      dir,
      coldkey: join(dir, 'coldkey'),
      coldkeypub: join(dir, 'coldkeypub.txt'),
      hotkeysDir: join(dir, 'hotkeys'),
    };
  }

  hotkeyPaths(wallet: string, hotkey: string): { hotkey: string; hotkeypub: string } {
    checkName(hotkey, 'hotkey');
    const { hotkeysDir } = this.paths(wallet);
    return { hotkey: join(hotkeysDir, hotkey), hotkeypub: join(hotkeysDir, `${hotkey}pub.txt`) };
  }

  /** A new coldkey, encrypted with `password`, and its coldkeypub.txt. */
  async createColdkey(
    wallet: string,
    options: WriteOptions & { password: string; words?: MnemonicWordCount },
  ): Promise<CreatedKey> {
    const mnemonic = generateMnemonic(options.words ?? 12);
    const key = await this.saveColdkey(wallet, keyFromMnemonic(mnemonic), options.password, options);
    return { ss58Address: key.ss58Address, mnemonic };
  }

  /** A new hotkey: plaintext as btcli writes it, or `$NACL` when a password is given. */
  async createHotkey(
    wallet: string,
    hotkey: string,
    options: WriteOptions & { password?: string; words?: MnemonicWordCount } = {},
  ): Promise<CreatedKey> {
    const mnemonic = generateMnemonic(options.words ?? 12);
    const key = await this.saveHotkey(wallet, hotkey, keyFromMnemonic(mnemonic), options);
    return { ss58Address: key.ss58Address, mnemonic };
  }

  /** The coldkey again from its mnemonic or seed (`btcli w regen_coldkey`). Returns its address. */
  async regenerateColdkey(
    wallet: string,
    source: KeySource,
    options: WriteOptions & { password: string },
  ): Promise<string> {
    return (await this.saveColdkey(wallet, keyFromSource(source), options.password, options)).ss58Address;
  }

  async regenerateHotkey(
    wallet: string,
    hotkey: string,
    source: KeySource,
    options: WriteOptions & { password?: string } = {},
  ): Promise<string> {
    return (await this.saveHotkey(wallet, hotkey, keyFromSource(source), options)).ss58Address;
  }

  /** A watch-only coldkey: coldkeypub.txt alone (`btcli w regen_coldkeypub`). */
  async regenerateColdkeypub(wallet: string, source: PublicKeySource, options: WriteOptions = {}): Promise<string> {
    const key = 'ss58Address' in source ? keyFromSs58(source.ss58Address) : keyFromPublicKey(source.publicKey);
    const paths = this.paths(wallet);
    await mkdir(paths.dir, { recursive: true });
    if (!options.overwrite && (await holdsAddress(paths.coldkeypub, key.ss58Address))) return key.ss58Address;
    await writeFilesAtomic([{ path: paths.coldkeypub, data: await encodeKeyfile(keyToPublicKeyfile(key)) }], options);
    return key.ss58Address;
  }

  /** Every wallet under the root with its hotkeys and addresses, by name. Needs no password. */
  async listWallets(): Promise<WalletInfo[]> {
    const names = (await listEntries(this.root, 'directory')).filter((name) => isUsableName(name));
    return Promise.all(names.map((name) => this.showWallet(name)));
  }

  /** One wallet's addresses, from its public files. Needs no password. */
  async showWallet(wallet: string): Promise<WalletInfo> {
    const paths = this.paths(wallet);
    if (!(await isDirectory(paths.dir))) {
      throw new WalletError('not_found', `no wallet ${JSON.stringify(wallet)} in ${this.root}`);
    }
    const hotkeyNames = (await listEntries(paths.hotkeysDir, 'file')).filter(
      (name) => isUsableName(name) && !name.endsWith('pub.txt'),
    );
    const hotkeys = await Promise.all(
      hotkeyNames.map((name) => {
        const hotkeyPaths = this.hotkeyPaths(wallet, name);
        return publicInfo(name, hotkeyPaths.hotkey, hotkeyPaths.hotkeypub);
      }),
    );
    return {
      name: wallet,
      path: paths.dir,
      coldkey: await publicInfo('coldkey', paths.coldkey, paths.coldkeypub),
      hotkeys,
    };
  }

  /** The coldkey's address from coldkeypub.txt. */
  async coldkeyAddress(wallet: string): Promise<string> {
    const paths = this.paths(wallet);
    return (await this.readKey(paths.coldkeypub, undefined)).ss58Address;
  }

  /**
   * The hotkey's signing pair. An encrypted hotkey needs `password`, or its BT_PW_ variable
   * (wire-protocol §9.6).
   */
  async loadHotkeyPair(wallet: string, hotkey: string, options: { password?: string } = {}): Promise<KeyringPair> {
    const path = this.hotkeyPaths(wallet, hotkey).hotkey;
    return toKeyringPair(await this.readKey(path, options.password ?? passwordFromEnv(path, this.env)), hotkey);
  }

  /**
   * What a miner or validator runs with: the hotkey pair and the coldkey's address. Reads the
   * hotkey and coldkeypub.txt only, so the coldkey can stay on another machine.
   */
  async loadNeuronKeys(
    wallet: string,
    hotkey: string,
    options: { password?: string } = {},
  ): Promise<{ hotkey: KeyringPair; coldkeyAddress: string }> {
    return {
      hotkey: await this.loadHotkeyPair(wallet, hotkey, options),
      coldkeyAddress: await this.coldkeyAddress(wallet),
    };
  }

  /**
   * The coldkey's signing pair, for the moment it is needed (registering, staking). The password
   * is used for this call only; without one, the BT_PW_ variable is tried.
   */
  async loadColdkeyPair(wallet: string, password?: string): Promise<KeyringPair> {
    const path = this.paths(wallet).coldkey;
    return toKeyringPair(await this.readKey(path, password ?? passwordFromEnv(path, this.env)), 'coldkey');
  }

  private async readKey(path: string, password: string | undefined): Promise<WalletKey> {
    const bytes = await readOptional(path);
    if (!bytes) throw new WalletError('not_found', `${path} does not exist`);
    const decoded = await decodeKeyfile(bytes, { password, kdf: this.kdf, fernetKdf: this.fernetKdf, source: path });
    return keyFromKeyfile(decoded.data, path);
  }

  private async saveColdkey(
    wallet: string,
    key: WalletKey,
    password: string,
    options: WriteOptions,
  ): Promise<WalletKey> {
    checkNewPassword(password);
    const paths = this.paths(wallet);
    await mkdir(paths.dir, { recursive: true });
    const secret = await encodeKeyfile(keyToKeyfile(key), { password, kdf: this.kdf });
    await this.writeKeyPair({ path: paths.coldkey, data: secret }, paths.coldkeypub, key, options);
    return publicPart(key);
  }

  private async saveHotkey(
    wallet: string,
    hotkey: string,
    key: WalletKey,
    options: WriteOptions & { password?: string },
  ): Promise<WalletKey> {
    if (options.password !== undefined) checkNewPassword(options.password);
    const paths = this.hotkeyPaths(wallet, hotkey);
    await mkdir(this.paths(wallet).hotkeysDir, { recursive: true });
    const secret = await encodeKeyfile(keyToKeyfile(key), { password: options.password, kdf: this.kdf });
    await this.writeKeyPair({ path: paths.hotkey, data: secret }, paths.hotkeypub, key, options);
    return publicPart(key);
  }

  /** The secret file and its pub file, together or not at all. */
  private async writeKeyPair(
    secret: FileToWrite,
    pubPath: string,
    key: WalletKey,
    options: WriteOptions,
  ): Promise<void> {
    const files: FileToWrite[] = [secret];
    // A pub file that already names this very key (a watch-only wallet being completed) is not a
    // different key being overwritten, so it does not need `overwrite`.
    if (options.overwrite || !(await holdsAddress(pubPath, key.ss58Address))) {
      files.push({ path: pubPath, data: await encodeKeyfile(keyToPublicKeyfile(key)) });
    }
    await writeFilesAtomic(files, { overwrite: options.overwrite ?? false });
  }
}

function keyFromSource(source: KeySource): WalletKey {
  return 'mnemonic' in source ? keyFromMnemonic(source.mnemonic) : keyFromSeed(source.seed);
}

/** Wallet and hotkey names become file names, so they cannot climb out of the folder. */
function checkName(name: string, what: string): void {
  if (!isUsableName(name) || (what === 'hotkey' && name.endsWith('pub.txt'))) {
    throw new WalletError(
      'invalid_input',
      `${JSON.stringify(name)} cannot be a ${what} name (use letters, digits, - and _; no path separators, no leading dot${what === 'hotkey' ? ', not ending in pub.txt' : ''})`,
    );
  }
}

function isUsableName(name: string): boolean {
  return name.length > 0 && name.length <= 200 && !name.startsWith('.') && !/[/\\:\0]/.test(name) && !isTempName(name);
}

function checkNewPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new WalletError('invalid_input', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}

/** The address a key's public side gives, preferring the pub file, never asking for a password. */
async function publicInfo(name: string, secretPath: string, pubPath: string): Promise<KeyInfo> {
  const [secretBytes, pubBytes] = await Promise.all([readOptional(secretPath), readOptional(pubPath)]);
  const secretFormat = secretBytes ? detectKeyfileFormat(secretBytes) : undefined;
  const encrypted = secretBytes ? (secretFormat ? isEncryptedFormat(secretFormat) : null) : null;
  const problems: string[] = [];
  for (const [bytes, path] of [
    [pubBytes, pubPath],
    // Wallets from before bittensor-wallet 3.1 have no hotkey pub file; a plaintext key file
    // also says its address.
    [secretFormat && !isEncryptedFormat(secretFormat) ? secretBytes : undefined, secretPath],
  ] as const) {
    if (!bytes) continue;
    try {
      const key = keyFromKeyfile((await decodeKeyfile(bytes, { source: path })).data, path);
      return {
        name,
        ss58Address: key.ss58Address,
        encrypted,
        ...(problems.length ? { problem: problems.join('; ') } : {}),
      };
    } catch (error) {
      if (!(error instanceof WalletError)) throw error;
      problems.push(error.message);
    }
  }
  if (!secretBytes && !pubBytes) problems.push(`no ${name} file`);
  else if (!pubBytes) problems.push(`${pubPath} is missing and the key file is encrypted`);
  return { name, ss58Address: null, encrypted, problem: problems.join('; ') };
}

async function holdsAddress(pubPath: string, ss58Address: string): Promise<boolean> {
  const bytes = await readOptional(pubPath);
  if (!bytes) return false;
  try {
    return keyFromKeyfile((await decodeKeyfile(bytes)).data).ss58Address === ss58Address;
  } catch {
    return false;
  }
}

async function readOptional(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return undefined;
    if (isErrno(error, 'EISDIR')) throw new WalletError('corrupt_file', `${path} is a folder, not a key file`);
    throw error;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return false;
    throw error;
  }
}

/** Sorted names of the folders or files in `dir` (following links); none if it does not exist. */
async function listEntries(dir: string, kind: 'directory' | 'file'): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return [];
    throw error;
  }
  const kinds = await Promise.all(
    names.map(async (name) => {
      const info = await stat(join(dir, name)).catch(() => undefined);
      return kind === 'directory' ? info?.isDirectory() : info?.isFile();
    }),
  );
  return names.filter((_, i) => kinds[i]).sort();
}
