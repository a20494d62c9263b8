/**
 * The page's half of browser-extension signing (issue #13): Polkadot.js, Talisman and SubWallet
 * inject themselves as `window.injectedWeb3`, and @polkadot/extension-dapp speaks to all of them.
 * The engine prepares what must be signed and sends a `signer.request`; this module has the
 * extension that holds the account sign it and answers with `signer.respond`. Keys never leave the
 * extension; the engine submits the call.
 *
 * extension-dapp is loaded on first use so the app's first paint does not pay for it (and Electron,
 * which has no extensions, never loads it).
 */
import type * as ExtensionDapp from '@polkadot/extension-dapp';
import type { HostClient } from '../../src-shared/api/client.js';
import type { SignerRequest } from '../../src-shared/schemas/wallet.js';

export interface ExtensionAccount {
  readonly address: string;
  readonly name: string | null;
  /** Which extension holds it: `polkadot-js`, `talisman`, `subwallet-js`, … */
  readonly source: string;
}

/** What the wallet page needs from the extensions; the tests give a fake with a real key. */
export interface ExtensionAccess {
  /** Asks the extensions for access (each shows its own prompt the first time) and lists their accounts. */
  accounts(): Promise<ExtensionAccount[]>;
  /** The signature of the extension that holds `request.address`. */
  sign(request: SignerRequest): Promise<string>;
}

/** The name the extensions show when they ask the person to allow access. */
export const APP_NAME = 'BittAudio Desktop';
/** Bittensor's SS58 prefix (42, the generic Substrate one). */
const SS58_FORMAT = 42;

export class NoExtensionError extends Error {
  override readonly name = 'NoExtensionError';
}

/** The real thing: @polkadot/extension-dapp over `window.injectedWeb3`. */
export function polkadotExtensions(appName: string = APP_NAME): ExtensionAccess {
  let enabled: Promise<typeof ExtensionDapp> | null = null;
  const enable = () => {
    enabled ??= (async () => {
      const dapp = await import('@polkadot/extension-dapp');
      const extensions = await dapp.web3Enable(appName);
      if (extensions.length === 0) {
        enabled = null;
        throw new NoExtensionError(
          'No Polkadot browser extension answered. Install Polkadot.js, Talisman or SubWallet, allow this page, and try again.',
        );
      }
      return dapp;
    })();
    return enabled;
  };
  return {
    accounts: async () => {
      const dapp = await enable();
      const accounts = await dapp.web3Accounts({ ss58Format: SS58_FORMAT });
      return accounts.map((a) => ({ address: a.address, name: a.meta.name ?? null, source: a.meta.source }));
    },
    sign: async (request) => {
      const dapp = await enable();
      const injected = await dapp.web3FromAddress(request.address);
      const signer = injected.signer;
      if (request.kind === 'raw') {
        if (!signer.signRaw) throw new Error(`${injected.name} cannot sign raw data`);
        const result = await signer.signRaw({ address: request.address, data: request.data, type: 'bytes' });
        return result.signature;
      }
      if (!signer.signPayload) throw new Error(`${injected.name} cannot sign transactions`);
      const result = await signer.signPayload(request.payload as never);
      return result.signature;
    },
  };
}

/**
 * Answers every `signer.request` with the extension's signature, or with why there is none (the
 * person refused, no extension holds the account). Returns the unsubscribe.
 */
export function answerSignerRequests(
  client: Pick<HostClient, 'call' | 'onEvent'>,
  access: ExtensionAccess,
  onRequest?: (request: SignerRequest, state: 'asking' | 'signed' | 'refused') => void,
): () => void {
  return client.onEvent((event) => {
    if (event.event !== 'signer.request') return;
    const request = event.payload;
    onRequest?.(request, 'asking');
    void access.sign(request).then(
      async (signature) => {
        onRequest?.(request, 'signed');
        await client.call('signer.respond', { requestId: request.requestId, signature }).catch(() => undefined);
      },
      async (error: unknown) => {
        onRequest?.(request, 'refused');
        const message = error instanceof Error ? error.message : String(error);
        await client
          .call('signer.respond', { requestId: request.requestId, error: message.slice(0, 500) })
          .catch(() => undefined);
      },
    );
  });
}
