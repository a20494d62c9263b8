import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signatureVerify } from '@polkadot/util-crypto';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../testing/temp-dir.js';
import { obfuscatePassword, passwordEnvVarName } from './env-password.js';
import { WalletError } from './errors.js';
import { defaultWalletsDir, expandHome, WalletStore } from './store.js';
import { cachedNaclKdf } from './test-kdf.js';
import { TV10, TV11, TV9 } from './wire-protocol-vectors.js';

const tempDir = useTempDirs();
// Every key in this file is sealed with TV-10's password, whose key the kdf already knows.
const PASSWORD = TV10.password;
const kdf = cachedNaclKdf();
const posix = process.platform !== 'win32';

function makeStore(env: NodeJS.ProcessEnv = {}): WalletStore {
  return new WalletStore({ root: tempDir(), env, kdf });
}

async function rejection(promise: Promise<unknown>): Promise<WalletError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WalletError) return error;
    throw error;
  }
  throw new Error('expected a WalletError');
}

const json = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

describe('wallet folder (wire-protocol §9.1)', () => {
  it('is $BT_WALLET_PATH or ~/.bittensor/wallets, with ~ expanded', () => {
    expect(defaultWalletsDir({}, '/home/alice')).toBe('/home/alice/.bittensor/wallets');
    expect(defaultWalletsDir({ BT_WALLET_PATH: '~/w' }, '/home/alice')).toBe('/home/alice/w');
    expect(expandHome('~', '/h')).toBe('/h');
    expect(new WalletStore({ env: { BT_WALLET_PATH: '/srv/wallets' } }).root).toBe('/srv/wallets');
  });

  it('lays out coldkey, coldkeypub.txt and hotkeys/ as btcli does', () => {
    const store = new WalletStore({ root: '/w', env: {} });
    expect(store.paths('alice')).toEqual({
      dir: '/w/alice',
      coldkey: '/w/alice/coldkey',
      coldkeypub: '/w/alice/coldkeypub.txt',
      hotkeysDir: '/w/alice/hotkeys',
    });
    expect(store.hotkeyPaths('alice', 'miner1')).toEqual({
      hotkey: '/w/alice/hotkeys/miner1',
      hotkeypub: '/w/alice/hotkeys/miner1pub.txt',
    });
  });

  it('refuses names that would leave the folder or collide with pub files', () => {
    const store = new WalletStore({ root: '/w', env: {} });
    for (const bad of ['', '..', '.hidden', 'a/b', 'a\\b', 'nul\0']) {
      expect(() => store.paths(bad)).toThrow(WalletError);
    }
    expect(() => store.hotkeyPaths('w', 'minerpub.txt')).toThrow(/pub\.txt/);
  });
});

describe('creating and loading keys', () => {
  it('creates an encrypted coldkey with its pub file and returns the mnemonic once', async () => {
    const store = makeStore();
    const created = await store.createColdkey('alice', { password: PASSWORD });
    expect(created.mnemonic.split(' ')).toHaveLength(12);
    const paths = store.paths('alice');
    expect(readFileSync(paths.coldkey).subarray(0, 5).toString()).toBe('$NACL');
    expect(readFileSync(paths.coldkey).toString('latin1')).not.toContain(created.mnemonic.split(' ')[0] ?? '?');
    expect(readFileSync(paths.coldkeypub, 'utf8')).not.toMatch(/\s|null/);
    expect(json(paths.coldkeypub)).toEqual({
      accountId: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      publicKey: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      ss58Address: created.ss58Address,
    });
    const pair = await store.loadColdkeyPair('alice', PASSWORD);
    expect(pair.address).toBe(created.ss58Address);
    expect(signatureVerify('m', pair.sign('m'), created.ss58Address).isValid).toBe(true);
  });

  it.runIf(posix)('writes every key file with mode 0600', async () => {
    const store = makeStore();
    await store.createColdkey('alice', { password: PASSWORD });
    await store.createHotkey('alice', 'miner');
    const paths = store.paths('alice');
    const hotkey = store.hotkeyPaths('alice', 'miner');
    for (const path of [paths.coldkey, paths.coldkeypub, hotkey.hotkey, hotkey.hotkeypub]) {
      expect(statSync(path).mode & 0o777, path).toBe(0o600);
    }
  });

  it('creates a plaintext hotkey by default, with all fields, and its pub file', async () => {
    const store = makeStore();
    const created = await store.createHotkey('alice', 'miner', { words: 24 });
    expect(created.mnemonic.split(' ')).toHaveLength(24);
    const paths = store.hotkeyPaths('alice', 'miner');
    expect(json(paths.hotkey)).toMatchObject({ secretPhrase: created.mnemonic, ss58Address: created.ss58Address });
    expect(Object.keys(json(paths.hotkey) as object).sort()).toEqual([
      'accountId',
      'privateKey',
      'publicKey',
      'secretPhrase',
      'secretSeed',
      'ss58Address',
    ]);
    expect(json(paths.hotkeypub)).toMatchObject({ ss58Address: created.ss58Address });
    expect((await store.loadHotkeyPair('alice', 'miner')).address).toBe(created.ss58Address);
  });

  it('loads a miner’s keys from the hotkey and coldkeypub.txt alone', async () => {
    const store = makeStore();
    const cold = await store.createColdkey('alice', { password: PASSWORD });
    const hot = await store.createHotkey('alice', 'miner');
    rmSync(store.paths('alice').coldkey); // the coldkey lives on another machine
    const keys = await store.loadNeuronKeys('alice', 'miner');
    expect(keys.hotkey.address).toBe(hot.ss58Address);
    expect(keys.coldkeyAddress).toBe(cold.ss58Address);
  });

  it('encrypts a hotkey when given a password, and opens it with the password or its BT_PW_ variable', async () => {
    const root = tempDir();
    const plain = new WalletStore({ root, env: {}, kdf });
    const created = await plain.createHotkey('alice', 'miner', { password: PASSWORD });
    const path = plain.hotkeyPaths('alice', 'miner').hotkey;
    expect(readFileSync(path).subarray(0, 5).toString()).toBe('$NACL');
    expect((await rejection(plain.loadHotkeyPair('alice', 'miner'))).code).toBe('password_required');
    expect((await plain.loadHotkeyPair('alice', 'miner', { password: PASSWORD })).address).toBe(created.ss58Address);

    const name = passwordEnvVarName(path);
    const withEnv = new WalletStore({ root, env: { [name]: obfuscatePassword(PASSWORD, name) }, kdf });
    expect((await withEnv.loadHotkeyPair('alice', 'miner')).address).toBe(created.ss58Address);
  });

  it('says "wrong password" for a wrong coldkey password, without the password', async () => {
    const root = tempDir();
    await new WalletStore({ root, env: {}, kdf }).createColdkey('alice', { password: PASSWORD });
    // Any key but the right one fails the same way; nacl.test.ts and the CLI test run this case
    // with a real Argon2i derivation of a wrong password.
    const wrongKdf = async (password: string): Promise<Uint8Array> =>
      password === PASSWORD ? kdf(password) : new Uint8Array(32).fill(9);
    const store = new WalletStore({ root, env: {}, kdf: wrongKdf });
    const error = await rejection(store.loadColdkeyPair('alice', 'hunter22-wrong'));
    expect(error.code).toBe('wrong_password');
    expect(error.message).toContain(store.paths('alice').coldkey);
    expect(error.message).not.toContain('hunter22');
    expect((await store.loadColdkeyPair('alice', PASSWORD)).address).toBe(await store.coldkeyAddress('alice'));
  });

  it('asks for a coldkey password when none is given and no variable is set', async () => {
    const store = makeStore();
    await store.createColdkey('alice', { password: PASSWORD });
    expect((await rejection(store.loadColdkeyPair('alice'))).code).toBe('password_required');
  });

  it('refuses a new password that is too short', async () => {
    const store = makeStore();
    expect((await rejection(store.createColdkey('alice', { password: '123' }))).code).toBe('invalid_input');
    expect(readdirSync(store.root)).toEqual([]);
  });

  it('refuses to overwrite a key without overwrite, and replaces it with', async () => {
    const store = makeStore();
    const first = await store.createColdkey('alice', { password: PASSWORD });
    const before = readFileSync(store.paths('alice').coldkey);
    const error = await rejection(store.createColdkey('alice', { password: PASSWORD }));
    expect(error.code).toBe('exists');
    expect(readFileSync(store.paths('alice').coldkey).equals(before)).toBe(true);
    expect(await store.coldkeyAddress('alice')).toBe(first.ss58Address);
    expect(readdirSync(store.paths('alice').dir).sort()).toEqual(['coldkey', 'coldkeypub.txt']);

    const second = await store.createColdkey('alice', { password: PASSWORD, overwrite: true });
    expect(await store.coldkeyAddress('alice')).toBe(second.ss58Address);
    expect(second.ss58Address).not.toBe(first.ss58Address);
  });

  it('reads coldkeys in the legacy formats', async () => {
    const store = makeStore();
    mkdirSync(store.paths('old').dir, { recursive: true });
    writeFileSync(store.paths('old').coldkey, TV11.file);
    expect((await store.loadColdkeyPair('old', TV11.password)).address).toBe(TV9.ss58Address);
  });
});

describe('regenerating keys', () => {
  it('regenerates a coldkey from its mnemonic or its seed with the same address (TV-9)', async () => {
    const store = makeStore();
    expect(await store.regenerateColdkey('a', { mnemonic: TV9.mnemonic }, { password: PASSWORD })).toBe(
      TV9.ss58Address,
    );
    expect(await store.regenerateColdkey('b', { seed: TV9.secretSeed }, { password: PASSWORD })).toBe(TV9.ss58Address);
    expect((await store.loadColdkeyPair('b', PASSWORD)).address).toBe(TV9.ss58Address);
    expect(await store.coldkeyAddress('a')).toBe(TV9.ss58Address);
  });

  it('regenerates a created wallet into another one with the same addresses', async () => {
    const store = makeStore();
    const cold = await store.createColdkey('first', { password: PASSWORD });
    const hot = await store.createHotkey('first', 'miner');
    expect(await store.regenerateColdkey('second', { mnemonic: cold.mnemonic }, { password: PASSWORD })).toBe(
      cold.ss58Address,
    );
    expect(await store.regenerateHotkey('second', 'miner', { mnemonic: hot.mnemonic })).toBe(hot.ss58Address);
    expect((await store.loadHotkeyPair('second', 'miner')).address).toBe(hot.ss58Address);
  });

  it('makes a watch-only wallet from an address, then completes it with the matching coldkey', async () => {
    const store = makeStore();
    expect(await store.regenerateColdkeypub('watch', { ss58Address: TV9.ss58Address })).toBe(TV9.ss58Address);
    expect(await store.regenerateColdkeypub('watch2', { publicKey: TV9.publicKey })).toBe(TV9.ss58Address);
    const shown = await store.showWallet('watch');
    expect(shown.coldkey).toEqual({ name: 'coldkey', ss58Address: TV9.ss58Address, encrypted: null });

    // A different key would replace what coldkeypub.txt says: refused.
    const other = await rejection(
      store.regenerateColdkey('watch', { seed: `0x${'07'.repeat(32)}` }, { password: PASSWORD }),
    );
    expect(other.code).toBe('exists');
    expect(readdirSync(store.paths('watch').dir)).toEqual(['coldkeypub.txt']);
    // The matching key only adds the secret file.
    await store.regenerateColdkey('watch', { mnemonic: TV9.mnemonic }, { password: PASSWORD });
    expect((await store.loadColdkeyPair('watch', PASSWORD)).address).toBe(TV9.ss58Address);
  });

  it('refuses a bad mnemonic or seed without writing anything', async () => {
    const store = makeStore();
    const error = await rejection(store.regenerateHotkey('a', 'h', { mnemonic: 'abandon '.repeat(12) }));
    expect(error.code).toBe('invalid_input');
    expect(error.message).not.toContain('abandon');
    expect((await rejection(store.regenerateHotkey('a', 'h', { seed: '0x12' }))).code).toBe('invalid_input');
    expect(readdirSync(store.root)).toEqual([]);
  });
});

describe('listing and showing', () => {
  it('lists wallets and hotkeys with addresses, from public files, without any password', async () => {
    const store = makeStore();
    const calls = kdf.calls();
    await store.regenerateColdkey('alice', { mnemonic: TV9.mnemonic }, { password: PASSWORD });
    const miner = await store.createHotkey('alice', 'miner');
    const locked = await store.createHotkey('alice', 'locked', { password: PASSWORD });
    await store.regenerateColdkeypub('bob', { ss58Address: miner.ss58Address });
    const afterWrites = kdf.calls();

    const wallets = await store.listWallets();
    expect(kdf.calls()).toBe(afterWrites);
    expect(afterWrites - calls).toBe(2); // the two encryptions, none for listing
    expect(wallets).toEqual([
      {
        name: 'alice',
        path: store.paths('alice').dir,
        coldkey: { name: 'coldkey', ss58Address: TV9.ss58Address, encrypted: true },
        hotkeys: [
          { name: 'locked', ss58Address: locked.ss58Address, encrypted: true },
          { name: 'miner', ss58Address: miner.ss58Address, encrypted: false },
        ],
      },
      {
        name: 'bob',
        path: store.paths('bob').dir,
        coldkey: { name: 'coldkey', ss58Address: miner.ss58Address, encrypted: null },
        hotkeys: [],
      },
    ]);
  });

  it('reads a hotkey address from the plaintext key file when there is no pub file (older wallets)', async () => {
    const store = makeStore();
    const created = await store.createHotkey('old', 'h1');
    rmSync(store.hotkeyPaths('old', 'h1').hotkeypub);
    const shown = await store.showWallet('old');
    expect(shown.hotkeys).toEqual([{ name: 'h1', ss58Address: created.ss58Address, encrypted: false }]);
  });

  it('explains a missing address instead of failing', async () => {
    const store = makeStore();
    await store.createHotkey('w', 'sealed', { password: PASSWORD });
    rmSync(store.hotkeyPaths('w', 'sealed').hotkeypub);
    writeFileSync(join(store.paths('w').hotkeysDir, 'broken'), '{"ss58Address": 5');
    const shown = await store.showWallet('w');
    expect(shown.coldkey).toEqual({ name: 'coldkey', ss58Address: null, encrypted: null, problem: 'no coldkey file' });
    expect(shown.hotkeys).toEqual([
      { name: 'broken', ss58Address: null, encrypted: false, problem: expect.stringMatching(/not valid JSON/) },
      {
        name: 'sealed',
        ss58Address: null,
        encrypted: true,
        problem: expect.stringMatching(/sealedpub\.txt is missing/),
      },
    ]);
  });

  it('skips temp files, hidden files and folders that are not wallets’ keys', async () => {
    const store = makeStore();
    await store.createHotkey('w', 'h');
    writeFileSync(join(store.paths('w').hotkeysDir, '.h.abc123.tmp'), 'partial');
    mkdirSync(join(store.root, '.cache'));
    writeFileSync(join(store.root, 'notes.txt'), '');
    const wallets = await store.listWallets();
    expect(wallets.map((w) => w.name)).toEqual(['w']);
    expect(wallets[0]?.hotkeys.map((h) => h.name)).toEqual(['h']);
  });

  it('lists nothing when the folder does not exist, and reports a missing wallet', async () => {
    const store = new WalletStore({ root: join(tempDir(), 'none'), env: {}, kdf });
    expect(await store.listWallets()).toEqual([]);
    expect((await rejection(store.showWallet('ghost'))).code).toBe('not_found');
    expect((await rejection(store.loadColdkeyPair('ghost', PASSWORD))).code).toBe('not_found');
    expect((await rejection(store.loadHotkeyPair('ghost', 'h'))).code).toBe('not_found');
  });
});
