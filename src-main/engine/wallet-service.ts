/**
 * `wallet.*` and `signer.respond`: the wallet page and onboarding (issue #13). Wallets are btcli
 * folders under the `walletPath` setting (btcli's default when unset); passwords and mnemonics
 * arrive in the one command that needs them and are never stored, logged or echoed back, except
 * the new mnemonics `wallet.create` returns once. A registration is signed by the wallet's local
 * coldkey (unlocked for that call) or by a browser extension through the signer broker.
 */
import { cp, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { ParsedCommandInput } from '../../src-shared/api/contract.js';
import type { Settings } from '../../src-shared/schemas/settings.js';
import type {
  KeySummary,
  SignerRequest,
  WalletOverview,
  WalletRegisterOutput,
  WalletSummary,
} from '../../src-shared/schemas/wallet.js';
import type { ChainSigner } from '../chain/signer.js';
import type { Ss58 } from '../chain/types.js';
import type { Logger } from '../log/logger.js';
import type { PasswordKdf } from '../wallet/argon2.js';
import { WalletError } from '../wallet/errors.js';
import type { KeyInfo, WalletInfo, WalletStore } from '../wallet/store.js';
import type { NetworkProvider } from './network-handle.js';
import type { HandlerSlice, Service } from './service.js';
import { SignerBroker } from './signer-broker.js';

type Commands =
  | 'wallet.list'
  | 'wallet.create'
  | 'wallet.regenerate'
  | 'wallet.import'
  | 'wallet.overview'
  | 'wallet.register'
  | 'wallet.faucet'
  | 'signer.respond';

/** What the local faucet gives: 1,000 test TAO, enough for a few burns on the devnet. */
export const FAUCET_RAO = 1_000_000_000_000n;

export interface WalletServiceOptions {
  settings: () => Settings;
  network: NetworkProvider | null;
  log: Logger;
  /** Sends `signer.request` to the pages. */
  emitSignerRequest: (request: SignerRequest) => void;
  /** BT_WALLET_PATH and BT_PW_ variables; default the process environment. */
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Tests share one Argon2 derivation per password. */
  kdf?: PasswordKdf;
  signTimeoutMs?: number;
}

export class WalletService implements Service<Commands> {
  readonly name = 'wallet';
  readonly handlers: HandlerSlice<Commands>;
  readonly broker: SignerBroker;

  constructor(private readonly options: WalletServiceOptions) {
    this.broker = new SignerBroker({
      emit: options.emitSignerRequest,
      ...(options.signTimeoutMs ? { timeoutMs: options.signTimeoutMs } : {}),
    });
    this.handlers = {
      'wallet.list': async () => {
        const store = await this.store();
        return { root: store.root, wallets: (await guard(() => store.listWallets())).map(summary) };
      },
      'wallet.create': (input) => this.create(input),
      'wallet.regenerate': (input) => this.regenerate(input),
      'wallet.import': (input) => this.import(input),
      'wallet.overview': (input) => this.overview(input.name),
      'wallet.register': (input) => this.register(input),
      'wallet.faucet': async ({ address }) => {
        const network = this.network();
        if (!network.faucet) {
          throw new HostApiError(
            'unavailable',
            'The faucet exists only on the local network: real TAO comes from a wallet or an exchange',
          );
        }
        network.faucet(address as Ss58, FAUCET_RAO);
        this.options.log.info('Local faucet gave test TAO', { address });
        return { free: (await network.chain.freeBalance(address as Ss58)).toString() };
      },
      'signer.respond': (input) => ({ accepted: this.broker.respond(input) }),
    };
  }

  stop(): void {
    this.broker.stop();
  }

  /** The wallets folder the settings name now (changes apply to the next call). */
  async store(): Promise<WalletStore> {
    // Loaded on first use: the keyring and libsodium are heavy and the daemon's start-up stays light.
    const { WalletStore } = await import('../wallet/store.js');
    const walletPath = this.options.settings().walletPath;
    return new WalletStore({
      ...(walletPath ? { root: walletPath } : {}),
      ...(this.options.env ? { env: this.options.env } : {}),
      ...(this.options.home ? { home: this.options.home } : {}),
      ...(this.options.kdf ? { kdf: this.options.kdf } : {}),
    });
  }

  private async create(input: ParsedCommandInput<'wallet.create'>) {
    const store = await this.store();
    const coldkey = await guard(() =>
      store.createColdkey(input.name, { password: input.password, words: input.words }),
    );
    const hotkey = await guard(() => store.createHotkey(input.name, input.hotkey, { words: input.words }));
    this.options.log.info('Wallet created', { wallet: input.name, coldkey: coldkey.ss58Address });
    return {
      wallet: summary(await guard(() => store.showWallet(input.name))),
      coldkeyMnemonic: coldkey.mnemonic,
      hotkeyMnemonic: hotkey.mnemonic,
    };
  }

  private async regenerate(input: ParsedCommandInput<'wallet.regenerate'>) {
    const store = await this.store();
    const overwrite = { overwrite: input.overwrite };
    if (input.key === 'coldkey') {
      await guard(() =>
        store.regenerateColdkey(input.name, { mnemonic: input.mnemonic }, { password: input.password, ...overwrite }),
      );
    } else if (input.key === 'hotkey') {
      await guard(() => store.regenerateHotkey(input.name, input.hotkey, { mnemonic: input.mnemonic }, overwrite));
    } else {
      await guard(() => store.regenerateColdkeypub(input.name, { ss58Address: input.address }, overwrite));
      // The extension keeps the coldkey; mining and validating still need a hotkey on this machine.
      if ((await guard(() => store.showWallet(input.name))).hotkeys.length === 0) {
        await guard(() => store.createHotkey(input.name, 'default'));
      }
    }
    this.options.log.info(`Wallet ${input.key} regenerated`, { wallet: input.name });
    return summary(await guard(() => store.showWallet(input.name)));
  }

  /** Copies a btcli wallet folder in, files unchanged; refuses to replace an existing wallet. */
  private async import(input: ParsedCommandInput<'wallet.import'>) {
    const store = await this.store();
    const source = input.path;
    const sourceStat = await stat(source).catch(() => null);
    if (!sourceStat?.isDirectory()) throw new HostApiError('not_found', `${source} is not a folder`);
    const name = input.name ?? basename(source);
    const target = guardSync(() => store.paths(name)).dir;
    if (await stat(target).catch(() => null)) {
      throw new HostApiError('invalid_input', `A wallet named "${name}" already exists in ${store.root}`);
    }
    // Check that it is a wallet before copying anything.
    const { WalletStore } = await import('../wallet/store.js');
    const probe = new WalletStore({ root: join(source, '..'), env: {} });
    const found = await guard(() => probe.showWallet(basename(source)));
    if (found.coldkey.ss58Address === null && found.hotkeys.length === 0) {
      throw new HostApiError('invalid_input', `${source} holds no coldkeypub.txt and no hotkeys: not a btcli wallet`);
    }
    await cp(source, target, { recursive: true, errorOnExist: true, force: false, preserveTimestamps: true });
    this.options.log.info('Wallet imported', { wallet: name, from: source });
    return summary(await guard(() => store.showWallet(name)));
  }

  private async overview(name: string): Promise<WalletOverview> {
    const store = await this.store();
    const wallet = await guard(() => store.showWallet(name));
    const network = this.network();
    const { chain, netuid } = network;
    const coldkey = wallet.coldkey.ss58Address;
    const [free, burn, block, hotkeys] = await Promise.all([
      coldkey ? chain.freeBalance(coldkey as Ss58) : Promise.resolve(null),
      chain.registrationCost(netuid),
      chain.currentBlock(),
      Promise.all(
        wallet.hotkeys
          .filter((key): key is KeyInfo & { ss58Address: string } => key.ss58Address !== null)
          .map(async (key) => {
            const uid = await chain.uidOf(netuid, key.ss58Address as Ss58);
            const stake =
              uid === undefined ? null : (await chain.hotkeyStake(key.ss58Address as Ss58, netuid)).onSubnet;
            return {
              name: key.name,
              address: key.ss58Address,
              uid: uid ?? null,
              stake: stake === null ? null : stake.toString(),
            };
          }),
      ),
    ]);
    return {
      name,
      coldkey: { address: coldkey, free: free === null ? null : free.toString() },
      hotkeys,
      network: { kind: network.kind, netuid, burn: burn.toString(), block },
    };
  }

  private async register(input: ParsedCommandInput<'wallet.register'>): Promise<WalletRegisterOutput> {
    const network = this.network();
    const { chain, netuid } = network;
    const hotkey = input.hotkeyAddress as Ss58;
    const existing = await chain.uidOf(netuid, hotkey);
    if (existing !== undefined) {
      throw new HostApiError(
        'invalid_input',
        `Hotkey ${hotkey} is already registered on subnet ${netuid} as uid ${existing}`,
      );
    }
    let signer: ChainSigner;
    if (input.signer.kind === 'local') {
      const { wallet, password } = input.signer;
      const store = await this.store();
      signer = await guard(() => store.loadColdkeyPair(wallet, password));
    } else {
      signer = this.broker.signerFor(
        input.signer.address,
        `Register hotkey ${hotkey} on subnet ${netuid} (burns the registration cost)`,
      );
    }
    this.options.log.info('Registering a hotkey', { hotkey, netuid, signer: input.signer.kind });
    const result = await chain.burnedRegister(signer, netuid, hotkey);
    if (!result.ok) {
      this.options.log.warn(`Registration failed: ${result.error.message}`, {
        hotkey,
        netuid,
        error: result.error.name,
      });
      return { ok: false, error: result.error };
    }
    const uid = await chain.uidOf(netuid, hotkey);
    this.options.log.info('Hotkey registered', { hotkey, netuid, uid: uid ?? null, block: result.blockNumber ?? null });
    return { ok: true, uid: uid ?? null, block: result.blockNumber ?? null, txHash: result.txHash };
  }

  private network() {
    const network = this.options.network?.current() ?? null;
    if (!network)
      throw new HostApiError(
        'unavailable',
        'No network is connected yet: wait for the chain, or check Settings → Network',
      );
    return network;
  }
}

function summary(info: WalletInfo): WalletSummary {
  return { name: info.name, path: info.path, coldkey: key(info.coldkey), hotkeys: info.hotkeys.map(key) };
}

function key(info: KeyInfo): KeySummary {
  return { name: info.name, address: info.ss58Address, encrypted: info.encrypted, problem: info.problem ?? null };
}

/** Wallet errors as Host API errors: the message is already for people and holds no secret. */
function toHostError(error: unknown): unknown {
  if (!(error instanceof WalletError)) return error;
  switch (error.code) {
    case 'not_found':
      return new HostApiError('not_found', error.message);
    case 'exists':
    case 'wrong_password':
    case 'password_required':
    case 'invalid_input':
      return new HostApiError('invalid_input', error.message);
    case 'corrupt_file':
      return new HostApiError('unavailable', error.message);
  }
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toHostError(error);
  }
}

function guardSync<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw toHostError(error);
  }
}
