/**
 * The dendrite: the validator's client (wire-protocol §3, §5). Each call builds exactly the
 * Python dendrite's request (URL, headers, body, signature), sends it with a total timeout, and
 * folds the answer into a copy of the synapse the way the Python dendrite does, including its
 * client-side status codes (408 timeout, 503 unreachable, 422 unparsable …).
 *
 * Sealed mode (docs/sealed-synapse.md §9–§10), on when the dendrite has its hotkey's sr25519
 * keypair: a MusicGeneration query goes to `/MusicGenerationSealed` first, with the inputs sealed
 * to the miner's hotkey and the request signature over the ciphertext; the answer is opened and
 * checked against the miner's hotkey from the chain. A 404 there means "no sealed mode" (a Python
 * miner): the {@link SealedFallbackCache} decides whether to re-query `/MusicGeneration` at once
 * (with a new nonce) and remembers it, or to refuse, for pinned and known-sealed miners (the
 * query then fails, carrying the `downgrade` error). Any other status, a timeout or a connection
 * error never falls back. A sealed answer that does not open counts as unparsable (422).
 */
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';
import type { KeyringPair } from '@polkadot/keyring/types';
import { MusicGenerationSynapse } from '../../src-shared/synapse/music-generation.js';
import {
  PingSynapse,
  orderedSynapseFields,
  type AnySynapse,
  type SynapseDefinition,
} from '../../src-shared/synapse/synapse.js';
import { terminalInfo } from '../../src-shared/synapse/terminal-info.js';
import type { Logger } from '../log/logger.js';
import { encodeSynapseBody } from './body-codec.js';
import { computeBodyHash, sha3_256Hex } from './body-hash.js';
import { NonceSequence, systemClock, type WallClock } from './clock.js';
import { RESPONSE_SIGNATURE_HEADER, SDK_VERSION_INT } from './constants.js';
import { applyResponse, ResponseParseError, type RawResponse } from './dendrite-response.js';
import { dendriteErrors } from './errors.js';
import {
  PLAINTEXT_SYNAPSE_NAME,
  SealedError,
  SealedFallbackCache,
  sealRequest,
  type SealedRequest,
  type SealedRouteChoice,
  type Sr25519Keypair,
} from './sealed/index.js';
import {
  MusicGenerationSealedRequest,
  MusicGenerationSealedSynapse,
  openSealedAnswer,
  resolveSealedKeypair,
  sealedInputsOf,
  sealedRequestSynapse,
  type MusicGenerationSealed,
} from './sealed-route.js';
import { headerMap, synapseHeaders, type HeaderList } from './headers.js';
import { BodyTooLargeError, decodeContentEncoding } from './http-body.js';
import { dendriteMessage, responseMessage, signMessage, verifySignature } from './signing.js';

/** Where to send a query: the axon's hotkey and address from the metagraph. */
export interface AxonEndpoint {
  hotkey: string;
  ip: string;
  port: number;
  /**
   * The miner's AxonInfo on chain, as any text that changes when it re-serves (e.g.
   * `${block}:${version}:${ip}:${port}`). Sealed mode forgets what it learnt about the miner when it
   * changes (SealedFallbackCache). Optional.
   */
  fingerprint?: string;
}

export interface DendriteOptions {
  hotkey: KeyringPair;
  log?: Logger;
  /** One per process (§3.8). Default: a random uuid. */
  uuid?: string;
  /** Our external IP for `bt_header_dendrite_ip`; the header is left out when unknown (axons use the TCP peer). */
  externalIp?: string;
  /** The version integer we announce; at least 7002000 (§2.3). Default 10002000. */
  version?: number;
  /** Larger responses (after decompression) fail with 422. Default 64 MiB; a 15 s clip is ~10 MB (§7.4). */
  maxResponseBytes?: number;
  /** Unix ns, for nonces. */
  clock?: WallClock;
  /** Synapse classes besides MusicGeneration and Synapse. */
  synapses?: readonly SynapseDefinition[];
  /** Connection pool; default: keep-alive, 64 sockets per axon. */
  agent?: Agent;
  /**
   * The hotkey's sr25519 keypair, for sealed mode: `sealedKeypair(walletKey)` or
   * `sealedKeypairFromPair(hotkey)`. It must be `hotkey`'s.
   */
  sealedKeypair?: Sr25519Keypair;
  /**
   * Sealed mode for MusicGeneration queries. Default: on when `sealedKeypair` is given, with a
   * cache of its own. `{ cache }` turns it on (reading the keypair from `hotkey` if none is given)
   * and shares a SealedFallbackCache: keep one per validator process, and pin your own miners in
   * it. `false` turns it off.
   */
  sealed?: { cache?: SealedFallbackCache } | false;
}

export interface QueryOptions {
  /** Total time for one call, seconds (Python's default is 12; SN50 validators use 200). */
  timeoutSeconds?: number;
  /** The synapse's class; default: looked up by `synapse.name`. */
  definition?: SynapseDefinition;
  /** Cancels every call of the query (they end as timeouts). */
  signal?: AbortSignal;
}

/** Our extra response signature (§8.1): only our axons send one. */
export type AxonSignatureCheck = 'valid' | 'invalid' | 'absent';

export interface DendriteResult<T extends AnySynapse> {
  synapse: T;
  axonSignature: AxonSignatureCheck;
  /** The route of the last request of the call (`sealed` then `plaintext` after a fallback). */
  route: SealedRouteChoice;
  /** Why a sealed exchange failed: a refused 404 (`downgrade`), an answer that did not open, inputs that could not be sealed. */
  sealedError?: SealedError;
}

/** A request ready to send (wire-protocol §3): what the Python dendrite would put on the wire. */
export interface PreparedRequest<T extends AnySynapse> {
  url: string;
  headers: HeaderList;
  body: Buffer;
  /** The synapse as sent (timeout, dendrite and axon filled in, signed). */
  synapse: T;
  /** The signed text (§3.7). */
  message: string;
}

export interface RequestSigner {
  pair: KeyringPair;
  uuid: string;
  nonce: bigint;
  version: number;
  externalIp?: string;
  /** A signature made already (a SealedRequest's): used if its message is this request's message. */
  presigned?: { readonly signatureMessage: string; readonly signature: string };
}

export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const DEFAULT_TIMEOUT_SECONDS = 12;

/** `http://ip:port/Name`, with brackets around IPv6 (§3.1; Python omits them and fails). */
export function axonUrl(axon: Pick<AxonEndpoint, 'ip' | 'port'>, name: string): string {
  const host = isIPv6(axon.ip) ? `[${axon.ip}]` : axon.ip;
  return `http://${host}:${axon.port}/${name}`;
}

/** §3.2–§3.7: the per-target copy of the synapse, its headers, body and signature. */
export function prepareRequest<T extends AnySynapse>(
  definition: SynapseDefinition<T>,
  synapse: T,
  axon: AxonEndpoint,
  signer: RequestSigner,
  timeoutSeconds: number,
): PreparedRequest<T> {
  const prepared: T = {
    ...synapse,
    name: definition.name,
    timeout: timeoutSeconds,
    dendrite: terminalInfo({
      ip: signer.externalIp ?? null,
      version: signer.version,
      nonce: signer.nonce,
      uuid: signer.uuid,
      hotkey: signer.pair.address,
    }),
    axon: terminalInfo({ ip: axon.ip, port: axon.port, hotkey: axon.hotkey }),
  };
  const bodyHash = computeBodyHash(definition, prepared);
  const message = dendriteMessage({
    nonce: signer.nonce,
    dendriteHotkey: signer.pair.address,
    axonHotkey: axon.hotkey,
    uuid: signer.uuid,
    bodyHash,
  });
  if (signer.presigned && signer.presigned.signatureMessage !== message) {
    throw new Error('the presigned message is not the message of this request');
  }
  prepared.dendrite.signature = signer.presigned?.signature ?? signMessage(signer.pair, message);
  // total_size is informational (§3.3); we send the body's length in bytes, in the body and the header.
  const draft = encodeSynapseBody(orderedSynapseFields(definition, { ...prepared, total_size: 0 }));
  prepared.total_size = draft.length;
  const body = encodeSynapseBody(orderedSynapseFields(definition, prepared));
  const headers = synapseHeaders(definition, prepared, { bodyHash, totalSize: prepared.total_size });
  return { url: axonUrl(axon, definition.name), headers, body, synapse: prepared, message };
}

type TransportFailure =
  | { kind: 'connect'; detail: string }
  | { kind: 'disconnected'; detail: string; staleSocket: boolean }
  | { kind: 'timeout' }
  | { kind: 'payload'; detail: string }
  | { kind: 'too-large'; limit: number }
  | { kind: 'client'; detail: string };

class TransportError extends Error {
  constructor(readonly failure: TransportFailure) {
    super(failure.kind);
  }
}

interface SendOptions {
  timeoutMs: number;
  maxResponseBytes: number;
  agent: Agent;
  signal?: AbortSignal;
}

/** One POST with a total deadline; resolves with the decompressed response or rejects with a TransportError. */
function send(url: string, headers: Record<string, string>, body: Buffer, options: SendOptions): Promise<RawResponse> {
  if (options.signal?.aborted) return Promise.reject(new TransportError({ kind: 'timeout' }));
  return new Promise((resolve, reject) => {
    let connected = false;
    let settled = false;
    const fail = (failure: TransportFailure): void => {
      if (settled) return;
      settled = true;
      cleanup();
      req.destroy();
      reject(new TransportError(failure));
    };
    const timer = setTimeout(() => fail({ kind: 'timeout' }), options.timeoutMs);
    const onAbort = (): void => fail({ kind: 'timeout' });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    let req: ReturnType<typeof httpRequest>;
    try {
      req = httpRequest(url, { method: 'POST', headers, agent: options.agent });
    } catch (error) {
      cleanup();
      reject(new TransportError({ kind: 'client', detail: error instanceof Error ? error.message : String(error) }));
      return;
    }
    req.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    let answered = false;
    req.on('error', (error) => {
      const detail = error.message;
      // A pooled connection the axon closed while idle fails before any answer: safe to retry once.
      const staleSocket = req.reusedSocket && !answered;
      fail(connected ? { kind: 'disconnected', detail, staleSocket } : { kind: 'connect', detail });
    });
    req.on('response', (res: IncomingMessage) => {
      answered = true;
      const declared = Number(res.headers['content-length'] ?? '0');
      if (declared > options.maxResponseBytes) {
        fail({ kind: 'too-large', limit: options.maxResponseBytes });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxResponseBytes) fail({ kind: 'too-large', limit: options.maxResponseBytes });
        else chunks.push(chunk);
      });
      res.on('aborted', () => fail({ kind: 'payload', detail: 'Response payload is not completed' }));
      res.on('error', (error) => fail({ kind: 'payload', detail: error.message }));
      res.on('end', () => {
        if (settled) return;
        if (!res.complete) {
          fail({ kind: 'payload', detail: 'Response payload is not completed' });
          return;
        }
        decodeContentEncoding(
          Buffer.concat(chunks, size),
          res.headers['content-encoding'],
          options.maxResponseBytes,
        ).then(
          (decoded) => {
            if (settled) return;
            settled = true;
            cleanup();
            resolve({ status: res.statusCode ?? 0, headers: headerMap(res.rawHeaders), body: decoded });
          },
          (error: unknown) =>
            fail(
              error instanceof BodyTooLargeError
                ? { kind: 'too-large', limit: options.maxResponseBytes }
                : { kind: 'payload', detail: error instanceof Error ? error.message : String(error) },
            ),
        );
      });
    });
    req.end(body);
  });
}

/** Checks our response signature (§8.1) against the axon we meant to reach and the request we sent. */
export function checkAxonSignature(
  response: RawResponse,
  expectedAxonHotkey: string,
  sent: { hotkey: string; nonce: bigint; uuid: string },
): AxonSignatureCheck {
  const h = response.headers;
  const signature = h.get(RESPONSE_SIGNATURE_HEADER.signature);
  if (signature === undefined) return 'absent';
  const nonceText = h.get(RESPONSE_SIGNATURE_HEADER.nonce) ?? '';
  const uuid = h.get(RESPONSE_SIGNATURE_HEADER.uuid);
  const bodyHash = sha3_256Hex(response.body);
  if (!/^\d{1,30}$/.test(nonceText) || uuid === undefined) return 'invalid';
  if (h.get(RESPONSE_SIGNATURE_HEADER.bodyHash) !== bodyHash) return 'invalid';
  const message = responseMessage({
    axonNonce: BigInt(nonceText),
    dendriteHotkey: sent.hotkey,
    axonHotkey: expectedAxonHotkey,
    axonUuid: uuid,
    dendriteNonce: sent.nonce,
    dendriteUuid: sent.uuid,
    bodyHash,
  });
  return verifySignature(message, signature, expectedAxonHotkey) ? 'valid' : 'invalid';
}

export class Dendrite {
  readonly hotkey: string;
  readonly uuid: string;
  /** Sealed mode's per-miner verdicts (pin miners here); undefined when sealed mode is off. */
  readonly sealedCache: SealedFallbackCache | undefined;
  private readonly pair: KeyringPair;
  private readonly sealedKeypair: Sr25519Keypair | undefined;
  private readonly log: Logger | undefined;
  private readonly nonces: NonceSequence;
  private readonly version: number;
  private readonly externalIp: string | undefined;
  private readonly maxResponseBytes: number;
  private readonly agent: Agent;
  private readonly ownsAgent: boolean;
  private readonly definitions = new Map<string, SynapseDefinition>();

  constructor(options: DendriteOptions) {
    this.pair = options.hotkey;
    this.hotkey = options.hotkey.address;
    this.uuid = options.uuid ?? randomUUID();
    this.log = options.log;
    this.nonces = new NonceSequence(options.clock ?? systemClock);
    this.version = options.version ?? SDK_VERSION_INT;
    this.externalIp = options.externalIp;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.ownsAgent = options.agent === undefined;
    this.agent = options.agent ?? new Agent({ keepAlive: true, maxSockets: 64 });
    const sealed = options.sealed;
    this.sealedKeypair = resolveSealedKeypair(
      options.hotkey,
      options.sealedKeypair,
      sealed === undefined ? undefined : sealed !== false,
    );
    const sharedCache = sealed === undefined || sealed === false ? undefined : sealed.cache;
    this.sealedCache = this.sealedKeypair ? (sharedCache ?? new SealedFallbackCache()) : undefined;
    for (const definition of [
      MusicGenerationSynapse as unknown as SynapseDefinition,
      PingSynapse,
      ...(options.synapses ?? []),
    ]) {
      this.definitions.set(definition.name, definition);
    }
  }

  /** Queries every axon in parallel; one result per axon, in the same order. Never rejects for network reasons. */
  async query<T extends AnySynapse>(
    axons: readonly AxonEndpoint[],
    synapse: T,
    options: QueryOptions = {},
  ): Promise<T[]> {
    const results = await Promise.all(axons.map((axon) => this.callDetailed(axon, synapse, options)));
    return results.map((result) => result.synapse);
  }

  async call<T extends AnySynapse>(axon: AxonEndpoint, synapse: T, options: QueryOptions = {}): Promise<T> {
    return (await this.callDetailed(axon, synapse, options)).synapse;
  }

  /**
   * One call, with the check of our axons' response signature. A MusicGeneration call goes sealed
   * when sealed mode is on and the cache does not hold the miner to plaintext; `timeoutSeconds`
   * bounds the whole call, a fallback included.
   */
  async callDetailed<T extends AnySynapse>(
    axon: AxonEndpoint,
    synapse: T,
    options: QueryOptions = {},
  ): Promise<DendriteResult<T>> {
    // The axon accepts only increasing nonces per (dendrite hotkey, uuid) (wire-protocol §4.5):
    // two calls in flight to one axon could arrive in the other order and the later nonce would
    // make the earlier one stale. So calls to the same axon take turns; different axons run in
    // parallel.
    const key = `${axon.hotkey}@${axon.ip}:${axon.port}`;
    const previous = this.inFlight.get(key) ?? Promise.resolve();
    const turn = previous.then(() => this.callDetailedNow(axon, synapse, options));
    const settled = turn.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.set(key, settled);
    void settled.then(() => {
      if (this.inFlight.get(key) === settled) this.inFlight.delete(key);
    });
    return turn;
  }

  /** Calls in flight (or queued) per axon, so one axon never sees two of our nonces at once. */
  private readonly inFlight = new Map<string, Promise<void>>();

  private async callDetailedNow<T extends AnySynapse>(
    axon: AxonEndpoint,
    synapse: T,
    options: QueryOptions,
  ): Promise<DendriteResult<T>> {
    const definition = (options.definition ?? this.definitions.get(synapse.name)) as SynapseDefinition<T> | undefined;
    if (!definition) throw new Error(`unknown synapse class "${synapse.name}": pass its definition`);
    const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const started = performance.now();
    const call: CallPlan<T> = { definition, synapse, axon, options, timeoutSeconds, started };
    if (
      this.sealedKeypair &&
      this.sealedCache &&
      definition.name === PLAINTEXT_SYNAPSE_NAME &&
      validAddress(axon) &&
      this.sealedCache.routeFor(axon.hotkey, axon.fingerprint) === 'sealed'
    ) {
      return this.callSealed(call, this.sealedKeypair, this.sealedCache);
    }
    return this.callPlaintext(call);
  }

  /** Closes pooled connections (only of the agent this dendrite made). */
  close(): void {
    if (this.ownsAgent) this.agent.destroy();
  }

  private signer(nonce: bigint): RequestSigner {
    return { pair: this.pair, uuid: this.uuid, nonce, version: this.version, externalIp: this.externalIp };
  }

  /** `/<ClassName>` as the Python dendrite sends it (the plaintext route for MusicGeneration). */
  private async callPlaintext<T extends AnySynapse>(call: CallPlan<T>): Promise<DendriteResult<T>> {
    const { definition, axon, timeoutSeconds } = call;
    const nonce = this.nonces.next();
    const prepared = prepareRequest(definition, call.synapse, axon, this.signer(nonce), timeoutSeconds);
    if (!validAddress(axon)) {
      const e = dendriteErrors.unparsable(`invalid axon address ${axon.ip}:${axon.port}`);
      return this.failed(prepared.synapse, axon, e, 'plaintext');
    }
    const sent = await this.exchange(prepared, call);
    if (!sent.ok) return this.failed(prepared.synapse, axon, sent.error, 'plaintext');
    const response = sent.response;
    try {
      const merged = applyResponse(definition, prepared.synapse, response);
      merged.dendrite = { ...merged.dendrite, process_time: (performance.now() - call.started) / 1000 };
      const axonSignature = checkAxonSignature(response, axon.hotkey, { hotkey: this.hotkey, nonce, uuid: this.uuid });
      this.log?.debug('dendrite: answered', {
        axon: axon.hotkey,
        status: merged.dendrite.status_code,
        seconds: merged.dendrite.process_time,
        axonSignature,
      });
      return { synapse: merged, axonSignature, route: 'plaintext' };
    } catch (error) {
      const detail = error instanceof ResponseParseError || error instanceof Error ? error.message : String(error);
      return this.failed(prepared.synapse, axon, dendriteErrors.unparsable(detail), 'plaintext');
    }
  }

  /** `/MusicGenerationSealed` (docs/sealed-synapse.md §10, dendrite), with the fallback rules of §9. */
  private async callSealed<T extends AnySynapse>(
    call: CallPlan<T>,
    keypair: Sr25519Keypair,
    cache: SealedFallbackCache,
  ): Promise<DendriteResult<T>> {
    const { definition, axon, timeoutSeconds } = call;
    const nonce = this.nonces.next();
    // The caller's synapse as it went out; failures and the answer are reported on it, as in plaintext.
    let local: T = { ...call.synapse, name: definition.name, timeout: timeoutSeconds };
    let sealed: SealedRequest;
    try {
      sealed = sealRequest({
        validator: keypair,
        minerHotkey: axon.hotkey,
        nonce,
        uuid: this.uuid,
        // The number the `timeout` header carries: the axon binds the request to it.
        timeout: timeoutSeconds,
        inputs: sealedInputsOf(call.synapse),
      });
    } catch (error) {
      if (!(error instanceof SealedError)) throw error;
      // Inputs that cannot be sealed are never sent in plaintext instead.
      return this.failed(
        local,
        axon,
        dendriteErrors.clientError(`cannot seal the request: ${error.message}`),
        'sealed',
        error,
      );
    }
    const prepared = prepareRequest(
      MusicGenerationSealedRequest,
      sealedRequestSynapse(call.synapse, sealed),
      axon,
      { ...this.signer(nonce), presigned: sealed },
      timeoutSeconds,
    );
    local = { ...local, dendrite: prepared.synapse.dendrite, axon: prepared.synapse.axon };
    const sent = await this.exchange(prepared, call);
    if (!sent.ok) return this.failed(local, axon, sent.error, 'sealed');
    const response = sent.response;

    if (response.status === 404) {
      const decision = cache.recordNotFound(axon.hotkey, axon.fingerprint);
      if (decision.action === 'fallback') {
        this.log?.debug('dendrite: no sealed route; falling back to plaintext', { axon: axon.hotkey });
        return this.callPlaintext(call);
      }
      this.log?.warn('dendrite: sealed route answered 404; refused as a downgrade', {
        axon: axon.hotkey,
        reason: decision.reason,
      });
      const e = { status: 404, message: `Sealed mode refused: ${decision.error.message}` };
      return this.failed(local, axon, e, 'sealed', decision.error);
    }

    const axonSignature = checkAxonSignature(response, axon.hotkey, { hotkey: this.hotkey, nonce, uuid: this.uuid });
    let merged: MusicGenerationSealed;
    try {
      merged = applyResponse(MusicGenerationSealedSynapse, prepared.synapse, response);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return this.failed(local, axon, dendriteErrors.unparsable(detail), 'sealed');
    }
    let music_output: Float32Array | null | undefined;
    if (response.status === 200) {
      try {
        music_output = openSealedAnswer(merged, sealed, keypair).music_output;
      } catch (error) {
        if (!(error instanceof SealedError)) throw error;
        this.log?.debug('dendrite: sealed answer refused', { axon: axon.hotkey, code: error.code });
        const e = dendriteErrors.unparsable(`sealed response refused (${error.code}): ${error.message}`);
        return this.failed(local, axon, e, 'sealed', error);
      }
      cache.recordSealedSuccess(axon.hotkey, axon.fingerprint);
    }
    const answered: T = {
      ...local,
      timeout: merged.timeout,
      total_size: merged.total_size,
      header_size: merged.header_size,
      axon: merged.axon,
      dendrite: { ...merged.dendrite, process_time: (performance.now() - call.started) / 1000 },
      ...(music_output === undefined ? {} : { music_output }),
    };
    this.log?.debug('dendrite: answered', {
      axon: axon.hotkey,
      route: 'sealed',
      status: answered.dendrite.status_code,
      seconds: answered.dendrite.process_time,
      axonSignature,
    });
    return { synapse: answered, axonSignature, route: 'sealed' };
  }

  /** Sends a prepared request within the call's deadline, retrying once on a stale pooled socket. */
  private async exchange(
    prepared: Pick<PreparedRequest<AnySynapse>, 'url' | 'headers' | 'body' | 'synapse'>,
    call: CallPlan<AnySynapse>,
  ): Promise<{ ok: true; response: RawResponse } | { ok: false; error: { status: number; message: string } }> {
    const { axon, timeoutSeconds, started } = call;
    const headers: Record<string, string> = {};
    for (const [name, value] of prepared.headers) headers[name] = value;
    headers['content-type'] = 'application/json';
    headers['accept'] = '*/*';
    headers['accept-encoding'] = 'gzip, deflate';
    headers['content-length'] = String(prepared.body.length);
    const attempt = (): Promise<RawResponse> =>
      send(prepared.url, headers, prepared.body, {
        timeoutMs: Math.max(1, Math.round(timeoutSeconds * 1000 - (performance.now() - started))),
        maxResponseBytes: this.maxResponseBytes,
        agent: this.agent,
        signal: call.options.signal,
      });
    try {
      try {
        return { ok: true, response: await attempt() };
      } catch (error) {
        const stale =
          error instanceof TransportError && error.failure.kind === 'disconnected' && error.failure.staleSocket;
        if (!stale) throw error;
        this.log?.debug('dendrite: pooled connection was closed by the axon; retrying once', { axon: axon.hotkey });
        return { ok: true, response: await attempt() };
      }
    } catch (error) {
      return { ok: false, error: this.mapTransportError(error, axon, prepared.synapse.name, timeoutSeconds) };
    }
  }

  private failed<T extends AnySynapse>(
    local: T,
    axon: AxonEndpoint,
    error: { status: number; message: string },
    route: SealedRouteChoice,
    sealedError?: SealedError,
  ): DendriteResult<T> {
    this.log?.debug('dendrite: call failed', {
      axon: axon.hotkey,
      route,
      status: error.status,
      message: error.message,
    });
    return {
      synapse: {
        ...local,
        dendrite: { ...local.dendrite, status_code: error.status, status_message: error.message },
      },
      axonSignature: 'absent',
      route,
      ...(sealedError ? { sealedError } : {}),
    };
  }

  private mapTransportError(
    error: unknown,
    axon: AxonEndpoint,
    name: string,
    timeoutSeconds: number,
  ): { status: number; message: string } {
    if (!(error instanceof TransportError)) return dendriteErrors.unparsable(String(error));
    const failure = error.failure;
    switch (failure.kind) {
      case 'connect':
        return dendriteErrors.unavailable(axon.ip, axon.port, name);
      case 'disconnected':
        return dendriteErrors.disconnected(failure.detail);
      case 'timeout':
        return dendriteErrors.timeout(timeoutSeconds);
      case 'payload':
        return dendriteErrors.payload(failure.detail);
      case 'too-large':
        return dendriteErrors.unparsable(`the response is larger than ${failure.limit} bytes`);
      case 'client':
        return dendriteErrors.clientError(failure.detail);
    }
  }
}

/** One call: what every route of it shares. */
interface CallPlan<T extends AnySynapse> {
  readonly definition: SynapseDefinition<T>;
  readonly synapse: T;
  readonly axon: AxonEndpoint;
  readonly options: QueryOptions;
  readonly timeoutSeconds: number;
  /** performance.now() at the start of the call: the deadline covers a fallback too. */
  readonly started: number;
}

function validAddress(axon: AxonEndpoint): boolean {
  return Number.isInteger(axon.port) && axon.port >= 1 && axon.port <= 65_535 && axon.ip !== '';
}
