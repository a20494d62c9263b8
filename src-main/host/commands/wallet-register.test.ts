/** `bittaudio wallet register` against the devnet: the cost first, then the burn, then the uid. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createDemoDevnet, type DevnetChain } from '../../devnet/index.js';
import { useTempDirs } from '../../testing/temp-dir.js';
import { WalletStore } from '../../wallet/store.js';
import { cachedNaclKdf } from '../../wallet/test-kdf.js';
import { TV10, TV9 } from '../../wallet/wire-protocol-vectors.js';
import { registerWalletCommands } from './wallet.js';

const tempDir = useTempDirs();
const kdf = cachedNaclKdf();

async function setup(options: { funded: boolean }) {
  const root = tempDir();
  const store = new WalletStore({ root, env: {}, home: root, kdf });
  // The coldkey of TV-9, sealed with TV-10's password (whose Argon2i key the cached kdf holds).
  await store.regenerateColdkey('w', { mnemonic: TV9.mnemonic }, { password: TV10.password });
  const hotkey = await store.createHotkey('w', 'h', {});
  const demo = await createDemoDevnet();
  if (options.funded) demo.chain.endow(await store.coldkeyAddress('w'), 1_000_000_000_000n);
  return { root, hotkey: hotkey.ss58Address, chain: demo.chain };
}

async function run(
  root: string,
  chain: DevnetChain,
  args: string[],
  answers: { confirm?: boolean; password?: string },
) {
  let out = '';
  const asked: string[] = [];
  const program = new Command('bittaudio').exitOverride();
  registerWalletCommands(program, {
    out: (t) => (out += t),
    err: () => undefined,
    promptSecret: async (q) => (asked.push(q), answers.password ?? ''),
    confirm: answers.confirm === undefined ? null : async (q) => (asked.push(q), answers.confirm ?? false),
    env: {},
    home: root,
    kdf,
    // The devnet outlives the command here, so the test can look at it afterwards.
    openChain: async () => Object.assign(Object.create(chain) as DevnetChain, { close: async () => undefined }),
  });
  let error: unknown;
  try {
    await program.parseAsync([
      'node',
      'bittaudio',
      'wallet',
      'register',
      '--wallet.path',
      root,
      '--wallet.name',
      'w',
      '--wallet.hotkey',
      'h',
      ...args,
    ]);
  } catch (e) {
    error = e;
  }
  return { out, asked, error };
}

describe('bittaudio wallet register', () => {
  it('shows the burn, asks, signs with the coldkey and reports the uid', async () => {
    const { root, hotkey, chain } = await setup({ funded: true });
    const cost = await chain.registrationCost(50);
    const result = await run(root, chain, ['--netuid', '50'], { confirm: true, password: TV10.password });
    expect(result.error).toBeUndefined();
    expect(result.out).toMatch(new RegExp(`Registering hotkey ${hotkey} on subnet 50 burns [\\d.]+ TAO`));
    expect(result.asked[0]).toMatch(/Register now\?/);
    const uid = await chain.uidOf(50, hotkey);
    expect(uid).toBeDefined();
    expect(result.out).toContain(`Registered: uid ${uid} on subnet 50.`);
    expect(chain.balanceOf(await new WalletStore({ root, env: {}, home: root, kdf }).coldkeyAddress('w'))).toBe(
      1_000_000_000_000n - cost,
    );
  });

  it('sends nothing when the user says no', async () => {
    const { root, hotkey, chain } = await setup({ funded: true });
    const result = await run(root, chain, ['--netuid', '50'], { confirm: false });
    expect(result.out).toContain('Cancelled; nothing was sent.');
    expect(await chain.uidOf(50, hotkey)).toBeUndefined();
  });

  it('needs --yes without a terminal', async () => {
    const { root, chain } = await setup({ funded: true });
    const result = await run(root, chain, ['--netuid', '50'], {});
    expect(String(result.error)).toMatch(/pass --yes/);
  });

  it('explains a coldkey that cannot pay the burn', async () => {
    const { root, chain } = await setup({ funded: false });
    const result = await run(root, chain, ['--netuid', '50', '--yes'], { password: TV10.password });
    expect(String(result.error)).toMatch(/registration failed: .*balance/i);
  });

  it('says so when the hotkey is registered already', async () => {
    const { root, chain } = await setup({ funded: true });
    await run(root, chain, ['--netuid', '50', '--yes'], { password: TV10.password });
    const again = await run(root, chain, ['--netuid', '50', '--yes'], { password: TV10.password });
    expect(again.out).toMatch(/already registered on subnet 50 as uid \d+/);
  });
});
