import { Keyring } from '@polkadot/keyring';
import { hexToU8a, u8aToHex, u8aWrapBytes } from '@polkadot/util';
import { cryptoWaitReady, signatureVerify } from '@polkadot/util-crypto';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { SignerRequest, WalletList, WalletOverview } from '../../src-shared/schemas/wallet.js';
import { FakeHostClient, flush } from '../testing/fake-host-client.js';
import type { ExtensionAccess } from './extension.js';
import { WalletView } from './WalletView.js';
import { createWalletStore, type WalletState, type WalletStore } from './wallet-store.js';

/** Server rendering reads a store's initial state: freeze the loaded one into a new store. */
function loaded(store: WalletStore): WalletStore {
  const state: WalletState = store.getState();
  return createStore<WalletState>()(() => state);
}

const COLDKEY = '5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX';
const HOTKEY = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';

const LIST: WalletList = {
  root: '/home/me/.bittensor/wallets',
  wallets: [
    {
      name: 'miner',
      path: '/home/me/.bittensor/wallets/miner',
      coldkey: { name: 'coldkey', address: COLDKEY, encrypted: true, problem: null },
      hotkeys: [{ name: 'default', address: HOTKEY, encrypted: false, problem: null }],
    },
  ],
};

const OVERVIEW: WalletOverview = {
  name: 'miner',
  coldkey: { address: COLDKEY, free: '12500000000' },
  hotkeys: [{ name: 'default', address: HOTKEY, uid: null, stake: null }],
  network: { kind: 'local', netuid: 50, burn: '1000000000', block: 12 },
};

beforeAll(async () => {
  await cryptoWaitReady();
});

function engine() {
  return new FakeHostClient({
    'wallet.list': () => Promise.resolve(LIST),
    'wallet.overview': () => Promise.resolve(OVERVIEW),
  });
}

/** A Polkadot extension as the page sees it, signing with a real sr25519 key. */
function fakeExtension(seed: string): ExtensionAccess & { address: string; asked: SignerRequest[] } {
  const key = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(seed);
  const asked: SignerRequest[] = [];
  return {
    address: key.address,
    asked,
    accounts: () => Promise.resolve([{ address: key.address, name: 'Test', source: 'polkadot-js' }]),
    sign: (request) => {
      asked.push(request);
      if (request.kind !== 'raw') return Promise.reject(new Error('payloads are not signed by this fake'));
      return Promise.resolve(u8aToHex(key.sign(u8aWrapBytes(hexToU8a(request.data)))));
    },
  };
}

describe('wallet store', () => {
  it('lists the wallets, selects the first and loads its overview', async () => {
    const client = engine();
    const store = createWalletStore(client, { extension: null });
    await store.getState().refresh();
    const state = store.getState();
    expect(state.selected).toBe('miner');
    expect(state.overview?.coldkey.free).toBe('12500000000');
    expect(client.inputsOf('wallet.overview')).toEqual([{ name: 'miner' }]);
  });

  it('returns the new mnemonics to the caller and keeps no secret in its state', async () => {
    const client = engine();
    client.handlers['wallet.create'] = (input) =>
      Promise.resolve({
        wallet: { ...(LIST.wallets[0] as WalletList['wallets'][number]), name: input.name },
        coldkeyMnemonic: 'old leopard transfer rib spatial phone calm indicate online fire caution review',
        hotkeyMnemonic: 'legal winner thank year wave sausage worth useful legal winner thank yellow',
      });
    const store = createWalletStore(client, { extension: null });
    const created = await store.getState().create({ name: 'miner', password: 'sesame-123' });
    expect(created?.coldkeyMnemonic).toContain('leopard');
    const kept = JSON.stringify(store.getState());
    expect(kept).not.toContain('leopard');
    expect(kept).not.toContain('sesame-123');
    expect(store.getState().busy).toBeNull();
  });

  it("keeps the engine's refusal for the page and clears the busy flag", async () => {
    const client = engine();
    client.handlers['wallet.register'] = () => Promise.reject(new HostApiError('invalid_input', 'wrong password'));
    const store = createWalletStore(client, { extension: null });
    await store.getState().refresh();
    const result = await store.getState().register({
      hotkeyAddress: HOTKEY,
      signer: { kind: 'local', wallet: 'miner', password: 'nope' },
    });
    expect(result).toBeNull();
    expect(store.getState().actionError?.message).toBe('wrong password');
    expect(store.getState().busy).toBeNull();
    client.handlers['wallet.register'] = () =>
      Promise.resolve({
        ok: false as const,
        error: { name: 'NotEnoughBalance', message: 'The coldkey holds too little TAO' },
      });
    await store
      .getState()
      .register({ hotkeyAddress: HOTKEY, signer: { kind: 'local', wallet: 'miner', password: 'x' } });
    expect(store.getState().actionError?.message).toBe('The coldkey holds too little TAO');
  });

  it('lists extension accounts, then answers signer.request with a signature the account really made', async () => {
    const client = engine();
    const responses: unknown[] = [];
    client.handlers['signer.respond'] = (input) => {
      responses.push(input);
      return Promise.resolve({ accepted: true });
    };
    const extension = fakeExtension('//PageUser');
    const store = createWalletStore(client, { extension });
    await store.getState().connectExtension();
    expect(store.getState().extension.accounts?.map((a) => a.address)).toEqual([extension.address]);
    const data = u8aToHex(new TextEncoder().encode('bittaudio-devnet:burned_register:7:["x"]'));
    client.emit({
      event: 'signer.request',
      payload: { requestId: 'r1', address: extension.address, kind: 'raw', data, description: 'Register' },
    });
    await flush();
    await flush();
    expect(responses).toHaveLength(1);
    const answer = responses[0] as { requestId: string; signature: `0x${string}` };
    expect(answer.requestId).toBe('r1');
    expect(signatureVerify(u8aWrapBytes(hexToU8a(data)), answer.signature, extension.address).isValid).toBe(true);
    expect(store.getState().signing?.state).toBe('signed');

    client.emit({
      event: 'signer.request',
      payload: { requestId: 'r2', address: extension.address, kind: 'payload', payload: {}, description: 'x' },
    });
    await flush();
    await flush();
    expect(responses[1]).toEqual({ requestId: 'r2', error: 'payloads are not signed by this fake' });
    store.getState().dispose();
  });

  it('says why when there is no extension to connect to', async () => {
    const store = createWalletStore(engine(), {
      extension: {
        accounts: () => Promise.reject(new Error('No Polkadot browser extension answered.')),
        sign: () => Promise.reject(new Error('x')),
      },
    });
    await store.getState().connectExtension();
    expect(store.getState().extension).toMatchObject({
      accounts: null,
      error: 'No Polkadot browser extension answered.',
    });
  });
});

describe('WalletView', () => {
  it('shows the coldkey, its balance, the burn and Register for an unregistered hotkey', async () => {
    const store = createWalletStore(engine(), { extension: null });
    await store.getState().refresh();
    const html = renderToStaticMarkup(<WalletView store={loaded(store)} extensionSigning />);
    expect(html).toContain(COLDKEY);
    expect(html).toContain('12.5 TAO');
    expect(html).toContain('1 TAO');
    expect(html).toContain('not registered');
    expect(html).toContain('data-testid="register-open"');
    expect(html).toContain('Get test TAO');
    expect(html).not.toContain('extension-hidden-reason');
  });

  it('offers the setup when there is no wallet, with the extension option off in the desktop window', async () => {
    const client = engine();
    client.handlers['wallet.list'] = () => Promise.resolve({ root: '/w', wallets: [] });
    const store = createWalletStore(client, { extension: null });
    await store.getState().refresh();
    const html = renderToStaticMarkup(<WalletView store={loaded(store)} extensionSigning={false} />);
    expect(html).toContain('data-testid="wallet-create-form"');
    expect(html).toContain('data-testid="extension-hidden-reason"');
    expect(html).toMatch(/value="extension"[^>]*disabled|disabled[^>]*value="extension"/);
  });
});
