/**
 * The wallet page's state (issue #13): the wallets the engine sees, the chosen wallet's overview
 * on the current network, the browser-extension accounts, and the signature the engine is waiting
 * for. Its own store, built from the same HostClient as the engine store, because wallet data is
 * asked for only on the Wallet page and in onboarding. Secrets (passwords, mnemonics) are passed
 * through to the engine and never kept here; the mnemonics `create` returns go to the caller, which
 * shows them once.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { HostClient } from '../../src-shared/api/client.js';
import type { CommandInput, CommandOutput } from '../../src-shared/api/contract.js';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { SignerRequest, WalletList, WalletOverview } from '../../src-shared/schemas/wallet.js';
import { answerSignerRequests, type ExtensionAccess, type ExtensionAccount } from './extension.js';

export interface WalletState {
  readonly list: WalletList | null;
  readonly listError: HostApiError | null;
  /** The wallet shown: the `walletName` setting until the person picks another. */
  readonly selected: string | null;
  readonly overview: WalletOverview | null;
  readonly overviewError: HostApiError | null;
  readonly loadingOverview: boolean;
  readonly extension: {
    readonly accounts: readonly ExtensionAccount[] | null;
    readonly error: string | null;
    readonly loading: boolean;
  };
  /** The signature request the engine is waiting for, while the extension asks the person. */
  readonly signing: { readonly request: SignerRequest; readonly state: 'asking' | 'signed' | 'refused' } | null;
  /** A command in flight from this page (one at a time), for disabled buttons and spinners. */
  readonly busy: 'create' | 'regenerate' | 'import' | 'register' | 'faucet' | null;
  readonly actionError: HostApiError | null;

  refresh(): Promise<void>;
  select(name: string): Promise<void>;
  loadOverview(): Promise<void>;
  /** The mnemonics come back to the caller, to show once; they are not kept in the store. */
  create(input: CommandInput<'wallet.create'>): Promise<CommandOutput<'wallet.create'> | null>;
  regenerate(input: CommandInput<'wallet.regenerate'>): Promise<boolean>;
  importFolder(input: CommandInput<'wallet.import'>): Promise<boolean>;
  register(input: CommandInput<'wallet.register'>): Promise<CommandOutput<'wallet.register'> | null>;
  faucet(address: string): Promise<boolean>;
  connectExtension(): Promise<void>;
  /** Stops answering signer requests. */
  dispose(): void;
}

export type WalletStore = StoreApi<WalletState>;

function asApiError(error: unknown): HostApiError {
  return error instanceof HostApiError
    ? error
    : new HostApiError('internal', error instanceof Error ? error.message : String(error));
}

export function createWalletStore(
  client: Pick<HostClient, 'call' | 'onEvent'>,
  options: { extension: ExtensionAccess | null; initialWallet?: string | null },
): WalletStore {
  let stopAnswering: (() => void) | null = null;

  const store = createStore<WalletState>()((set, get) => {
    /** Runs one page action: busy while it runs, the refusal kept for the page. */
    async function act<T>(busy: NonNullable<WalletState['busy']>, work: () => Promise<T>): Promise<T | null> {
      set({ busy, actionError: null });
      try {
        return await work();
      } catch (error) {
        set({ actionError: asApiError(error) });
        return null;
      } finally {
        set({ busy: null });
      }
    }

    return {
      list: null,
      listError: null,
      selected: options.initialWallet ?? null,
      overview: null,
      overviewError: null,
      loadingOverview: false,
      extension: { accounts: null, error: null, loading: false },
      signing: null,
      busy: null,
      actionError: null,

      refresh: async () => {
        try {
          const list = await client.call('wallet.list', {});
          const selected = get().selected;
          const keep = selected !== null && list.wallets.some((w) => w.name === selected);
          set({ list, listError: null, selected: keep ? selected : (list.wallets[0]?.name ?? null) });
        } catch (error) {
          set({ listError: asApiError(error) });
        }
        await get().loadOverview();
      },

      select: async (name) => {
        set({ selected: name, overview: null, overviewError: null });
        await get().loadOverview();
      },

      loadOverview: async () => {
        const name = get().selected;
        if (name === null) {
          set({ overview: null, overviewError: null });
          return;
        }
        set({ loadingOverview: true });
        try {
          const overview = await client.call('wallet.overview', { name });
          // A slow answer for a wallet no longer shown is dropped.
          if (get().selected === name) set({ overview, overviewError: null });
        } catch (error) {
          if (get().selected === name) set({ overview: null, overviewError: asApiError(error) });
        } finally {
          set({ loadingOverview: false });
        }
      },

      create: async (input) => {
        const created = await act('create', () => client.call('wallet.create', input));
        if (created) {
          set({ selected: created.wallet.name });
          await get().refresh();
        }
        return created;
      },

      regenerate: async (input) => {
        const done = await act('regenerate', () => client.call('wallet.regenerate', input));
        if (done) {
          set({ selected: done.name });
          await get().refresh();
        }
        return done !== null;
      },

      importFolder: async (input) => {
        const done = await act('import', () => client.call('wallet.import', input));
        if (done) {
          set({ selected: done.name });
          await get().refresh();
        }
        return done !== null;
      },

      register: async (input) => {
        const result = await act('register', () => client.call('wallet.register', input));
        if (result && !result.ok) set({ actionError: new HostApiError('unavailable', result.error.message) });
        await get().loadOverview();
        return result;
      },

      faucet: async (address) => {
        const done = await act('faucet', () => client.call('wallet.faucet', { address }));
        await get().loadOverview();
        return done !== null;
      },

      connectExtension: async () => {
        const access = options.extension;
        if (!access) {
          set({ extension: { accounts: null, error: 'Browser extensions are not available here.', loading: false } });
          return;
        }
        set({ extension: { ...get().extension, loading: true, error: null } });
        try {
          const accounts = await access.accounts();
          set({ extension: { accounts, error: null, loading: false } });
          stopAnswering ??= answerSignerRequests(client, access, (request, state) =>
            set({ signing: { request, state } }),
          );
        } catch (error) {
          set({
            extension: {
              accounts: null,
              error: error instanceof Error ? error.message : String(error),
              loading: false,
            },
          });
        }
      },

      dispose: () => {
        stopAnswering?.();
        stopAnswering = null;
      },
    };
  });
  return store;
}
