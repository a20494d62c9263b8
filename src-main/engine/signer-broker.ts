/**
 * The engine's side of browser-extension signing (issue #13). A coldkey call made with an
 * extension account gets an `ExternalSigner` from here: each `signRaw` / `signPayload` the chain
 * client asks for becomes a `signer.request` event, the page has the extension sign, and the
 * page's `signer.respond` command settles it. Requests that nobody answers time out, and stopping
 * the engine refuses every request still waiting, so a call never hangs on a closed page.
 */
import { randomUUID } from 'node:crypto';
import type { SignerPayloadJSON, SignerPayloadRaw, SignerResult } from '@polkadot/types/types';
import type { HexString } from '@polkadot/util/types';
import { HostApiError } from '../../src-shared/api/errors.js';
import type { SignerRequest } from '../../src-shared/schemas/wallet.js';
import type { ExternalSigner } from '../chain/signer.js';

/** An extension waits for a person to read and approve: generous, but not forever. */
export const DEFAULT_SIGN_TIMEOUT_MS = 180_000;

export type SignerResponse = { requestId: string; signature: string } | { requestId: string; error: string };

type SignRequestBody = { kind: 'raw'; data: string } | { kind: 'payload'; payload: Record<string, unknown> };

interface Waiting {
  resolve(signature: HexString): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class SignerBroker {
  private readonly waiting = new Map<string, Waiting>();
  private nextId = 1;
  private stopped = false;

  constructor(
    private readonly options: {
      /** Sends the request to the pages (the `signer.request` event). */
      emit: (request: SignerRequest) => void;
      timeoutMs?: number;
    },
  ) {}

  /** A polkadot `Signer` for `address` whose signatures come from the page. */
  signerFor(address: string, description: string): ExternalSigner {
    const ask = (request: SignRequestBody) => this.ask(address, description, request);
    return {
      kind: 'external',
      address,
      signer: {
        signRaw: async (raw: SignerPayloadRaw): Promise<SignerResult> => ({
          id: this.nextId++,
          signature: await ask({ kind: 'raw', data: raw.data }),
        }),
        signPayload: async (payload: SignerPayloadJSON): Promise<SignerResult> => ({
          id: this.nextId++,
          signature: await ask({ kind: 'payload', payload: { ...payload } }),
        }),
      },
    };
  }

  /** The page's answer. False when the request is unknown (already answered, timed out). */
  respond(response: SignerResponse): boolean {
    const waiting = this.waiting.get(response.requestId);
    if (!waiting) return false;
    this.settle(response.requestId);
    if ('error' in response) {
      waiting.reject(new HostApiError('unavailable', `The extension did not sign: ${response.error}`));
    } else {
      waiting.resolve(response.signature as HexString);
    }
    return true;
  }

  /** Requests waiting for the page, for tests and the status. */
  get pending(): number {
    return this.waiting.size;
  }

  stop(): void {
    this.stopped = true;
    for (const [id, waiting] of [...this.waiting]) {
      this.settle(id);
      waiting.reject(new HostApiError('unavailable', 'The app is closing: the signature request was cancelled'));
    }
  }

  private ask(address: string, description: string, request: SignRequestBody): Promise<HexString> {
    if (this.stopped) {
      return Promise.reject(new HostApiError('unavailable', 'The app is closing: nothing can be signed now'));
    }
    const requestId = randomUUID();
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_SIGN_TIMEOUT_MS;
    return new Promise<HexString>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(requestId);
        reject(
          new HostApiError(
            'timeout',
            `No signature from the browser extension within ${Math.round(timeoutMs / 1000)} s (is the page open and the extension unlocked?)`,
          ),
        );
      }, timeoutMs);
      timer.unref();
      this.waiting.set(requestId, { resolve, reject, timer });
      this.options.emit({ requestId, address, description, ...request });
    });
  }

  private settle(requestId: string): void {
    const waiting = this.waiting.get(requestId);
    if (waiting) clearTimeout(waiting.timer);
    this.waiting.delete(requestId);
  }
}
