/**
 * The wallet commands through the Host API dispatch (schemas, handlers, error mapping) on an
 * engine over the in-process devnet: create, regenerate, import, overview, faucet, and a
 * registration signed by the local coldkey or by a browser extension answering `signer.request`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { hexToU8a, u8aToHex, u8aWrapBytes } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CommandName, HostEvent } from '../../src-shared/api/contract.js';
import { Engine } from '../engine/engine.js';
import { devnetNetwork, type TestNetwork } from '../engine/testing/devnet-network.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { cachedNaclKdf } from '../wallet/test-kdf.js';
import { TV10, TV9 } from '../wallet/wire-protocol-vectors.js';
import { dispatch } from './dispatch.js';

const tempDir = useTempDirs();
const kdf = cachedNaclKdf();
const PASSWORD = TV10.password;
const engines: Engine[] = [];

afterEach(() => {
  for (const engine of engines.splice(0)) engine.close();
});

beforeAll(async () => {
  await cryptoWaitReady();
});

async function setup(options: { faucet?: boolean; signTimeoutMs?: number } = {}) {
  const root = tempDir();
  let network: TestNetwork | null = null;
  network = await devnetNetwork({
    register: false,
    handle: options.faucet === false ? {} : { faucet: (address, rao) => network?.devnet.chain.endow(address, rao) },
  });
  const lines: string[] = [];
  const engine = new Engine({
    dataDir: root,
    host: 'daemon',
    inMemory: true,
    network,
    onLogLine: (line) => lines.push(JSON.stringify(line)),
    wallet: { kdf, env: {}, home: root, ...(options.signTimeoutMs ? { signTimeoutMs: options.signTimeoutMs } : {}) },
  });
  engines.push(engine);
  const walletPath = join(root, 'wallets');
  const call = async (command: CommandName, input: unknown) => dispatch(engine.handlers, command, input, engine.log);
  const ok = async (command: CommandName, input: unknown) => {
    const result = await call(command, input);
    if (!result.ok) throw new Error(`${command}: ${result.error.code} ${result.error.message}`);
    return result.output as never;
  };
  await ok('settings.update', { walletPath });
  return { engine, network, call, ok, lines, walletPath };
}

describe('wallet commands', () => {
  it('creates a wallet, shows its mnemonics once, lists it, and never logs a secret', async () => {
    const { ok, lines, walletPath } = await setup();
    const created = (await ok('wallet.create', { name: 'alice', password: PASSWORD })) as {
      wallet: { name: string; coldkey: { address: string; encrypted: boolean }; hotkeys: { name: string }[] };
      coldkeyMnemonic: string;
      hotkeyMnemonic: string;
    };
    expect(created.coldkeyMnemonic.split(' ')).toHaveLength(12);
    expect(created.hotkeyMnemonic.split(' ')).toHaveLength(12);
    expect(created.wallet.coldkey.encrypted).toBe(true);
    expect(created.wallet.hotkeys.map((h) => h.name)).toEqual(['default']);
    const list = (await ok('wallet.list', {})) as { root: string; wallets: { name: string }[] };
    expect(list.root).toBe(walletPath);
    expect(list.wallets.map((w) => w.name)).toEqual(['alice']);
    const logged = lines.join('\n');
    expect(logged).toContain('Wallet created');
    expect(logged).not.toContain(PASSWORD);
    expect(logged).not.toContain(created.coldkeyMnemonic);
    expect(logged).not.toContain(created.hotkeyMnemonic);
  });

  it('regenerates a coldkey from its mnemonic to the same address, and refuses to overwrite silently', async () => {
    const { ok, call } = await setup();
    const regenerated = (await ok('wallet.regenerate', {
      key: 'coldkey',
      name: 'tv9',
      mnemonic: TV9.mnemonic,
      password: PASSWORD,
    })) as { coldkey: { address: string } };
    expect(regenerated.coldkey.address).toBe(TV9.ss58Address);
    const again = await call('wallet.regenerate', {
      key: 'coldkey',
      name: 'tv9',
      mnemonic: 'legal winner thank year wave sausage worth useful legal winner thank yellow',
      password: PASSWORD,
    });
    expect(again).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const bad = await call('wallet.regenerate', {
      key: 'hotkey',
      name: 'tv9',
      hotkey: 'h',
      mnemonic: 'not a mnemonic',
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const watch = (await ok('wallet.regenerate', {
      key: 'coldkeypub',
      name: 'watch',
      address: TV9.ss58Address,
    })) as { coldkey: { address: string; encrypted: boolean | null }; hotkeys: { name: string }[] };
    expect(watch.coldkey).toMatchObject({ address: TV9.ss58Address, encrypted: null });
    expect(watch.hotkeys.map((h) => h.name)).toEqual(['default']);
  });

  it('imports a btcli wallet folder unchanged and refuses a folder that is not a wallet', async () => {
    const { ok, call, engine } = await setup();
    const outside = join(tempDir(), 'elsewhere');
    const { WalletStore } = await import('../wallet/store.js');
    await new WalletStore({ root: outside, env: {}, kdf }).regenerateColdkeypub('mywallet', {
      ss58Address: TV9.ss58Address,
    });
    const imported = (await ok('wallet.import', { path: join(outside, 'mywallet') })) as {
      name: string;
      coldkey: { address: string };
    };
    expect(imported).toMatchObject({ name: 'mywallet', coldkey: { address: TV9.ss58Address } });
    expect(await call('wallet.import', { path: join(outside, 'mywallet') })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    const empty = join(tempDir(), 'notawallet');
    mkdirSync(empty);
    writeFileSync(join(empty, 'readme.txt'), 'hello');
    expect(await call('wallet.import', { path: empty })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await call('wallet.import', { path: join(empty, 'missing') })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(((await ok('wallet.list', {})) as { wallets: unknown[] }).wallets).toHaveLength(1);
    void engine;
  });

  it('shows balance and burn, funds from the local faucet and registers with the local coldkey', async () => {
    const { ok, call, network } = await setup();
    await ok('wallet.create', { name: 'w', password: PASSWORD });
    const before = (await ok('wallet.overview', { name: 'w' })) as {
      coldkey: { address: string; free: string };
      hotkeys: { address: string; uid: number | null }[];
      network: { kind: string; burn: string };
    };
    expect(before.coldkey.free).toBe('0');
    expect(before.network.kind).toBe('local');
    expect(BigInt(before.network.burn)).toBeGreaterThan(0n);
    expect(before.hotkeys[0]?.uid).toBeNull();
    const hotkey = before.hotkeys[0]?.address ?? '';

    const poor = await call('wallet.register', {
      hotkeyAddress: hotkey,
      signer: { kind: 'local', wallet: 'w', password: PASSWORD },
    });
    expect(poor).toMatchObject({ ok: true, output: { ok: false } });

    const funded = (await ok('wallet.faucet', { address: before.coldkey.address })) as { free: string };
    expect(BigInt(funded.free)).toBeGreaterThan(BigInt(before.network.burn));

    const wrong = await call('wallet.register', {
      hotkeyAddress: hotkey,
      signer: { kind: 'local', wallet: 'w', password: 'not-the-password' },
    });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await network.devnet.chain.uidOf(network.devnet.netuid, hotkey)).toBeUndefined();

    const registered = (await ok('wallet.register', {
      hotkeyAddress: hotkey,
      signer: { kind: 'local', wallet: 'w', password: PASSWORD },
    })) as { ok: boolean; uid: number };
    expect(registered.ok).toBe(true);
    expect(registered.uid).toBe(await network.devnet.chain.uidOf(network.devnet.netuid, hotkey));
    const after = (await ok('wallet.overview', { name: 'w' })) as {
      hotkeys: { uid: number | null }[];
      coldkey: { free: string };
    };
    expect(after.hotkeys[0]?.uid).toBe(registered.uid);
    expect(BigInt(after.coldkey.free)).toBe(BigInt(funded.free) - BigInt(before.network.burn));
    expect(
      await call('wallet.register', {
        hotkeyAddress: hotkey,
        signer: { kind: 'local', wallet: 'w', password: PASSWORD },
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    // A wrong password costs one real Argon2i derivation (512 MiB): seconds on a busy machine.
  }, 120_000);

  it('registers with a browser-extension account: the engine asks through signer.request and the page answers', async () => {
    const { ok, engine, network } = await setup();
    const extensionKey = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//ExtensionUser');
    const hotkey = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//ExtensionUser//hot');
    await ok('wallet.faucet', { address: extensionKey.address });
    const requests: HostEvent[] = [];
    engine.events.subscribe((event) => {
      if (event.event !== 'signer.request') return;
      requests.push(event);
      const request = event.payload;
      if (request.kind !== 'raw') throw new Error('the devnet asks for raw signatures');
      // What a Polkadot extension does with signRaw: sign <Bytes>data</Bytes>.
      const signature = u8aToHex(extensionKey.sign(u8aWrapBytes(hexToU8a(request.data))));
      void dispatch(engine.handlers, 'signer.respond', { requestId: request.requestId, signature }, engine.log);
    });
    const result = (await ok('wallet.register', {
      hotkeyAddress: hotkey.address,
      signer: { kind: 'extension', address: extensionKey.address },
    })) as { ok: boolean; uid: number };
    expect(result.ok).toBe(true);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.payload).toMatchObject({ address: extensionKey.address, kind: 'raw' });
    expect(await network.devnet.chain.uidOf(network.devnet.netuid, hotkey.address)).toBe(result.uid);
  });

  it('reports a refused or unanswered extension request and registers nothing', async () => {
    const { ok, call, engine, network } = await setup({ signTimeoutMs: 300 });
    const extensionKey = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Refuser');
    const hotkey = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Refuser//hot');
    await ok('wallet.faucet', { address: extensionKey.address });
    const unsubscribe = engine.events.subscribe((event) => {
      if (event.event === 'signer.request') {
        void dispatch(
          engine.handlers,
          'signer.respond',
          { requestId: event.payload.requestId, error: 'Cancelled' },
          engine.log,
        );
      }
    });
    const refused = await call('wallet.register', {
      hotkeyAddress: hotkey.address,
      signer: { kind: 'extension', address: extensionKey.address },
    });
    expect(refused).toMatchObject({ ok: true, output: { ok: false, error: { name: 'SignerRefused' } } });
    unsubscribe();
    const unanswered = await call('wallet.register', {
      hotkeyAddress: hotkey.address,
      signer: { kind: 'extension', address: extensionKey.address },
    });
    expect(unanswered).toMatchObject({ ok: true, output: { ok: false, error: { name: 'SignerRefused' } } });
    if (unanswered.ok) expect(JSON.stringify(unanswered.output)).toContain('No signature from the browser extension');
    expect(engine.wallet.broker.pending).toBe(0);
    expect(await call('signer.respond', { requestId: 'gone', signature: '0x00' })).toMatchObject({
      ok: true,
      output: { accepted: false },
    });
    expect(await network.devnet.chain.uidOf(network.devnet.netuid, hotkey.address)).toBeUndefined();
  });

  it('has no faucet on a real network, and answers unavailable without a network', async () => {
    const { call, network } = await setup({ faucet: false });
    expect(await call('wallet.faucet', { address: TV9.ss58Address })).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
    network.set(null);
    expect(await call('wallet.overview', { name: 'nobody' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(
      await call('wallet.register', {
        hotkeyAddress: TV9.ss58Address,
        signer: { kind: 'extension', address: TV9.ss58Address },
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
  });
});
