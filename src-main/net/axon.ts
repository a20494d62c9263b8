/**
 * The axon: the miner's HTTP server (wire-protocol §4). `POST /<SynapseName>` runs the verified
 * pipeline of verify-request.ts, calls the route's handler and answers as §4.8/§5.1 require, or
 * with an error of §4.9.
 *
 * Beyond the SDK: the signature is always required; the request body is capped (413); the work
 * itself waits in one place, the miner's work scheduler (inference/scheduler.ts), which the
 * handler submits to with the caller's stake and timeout; the axon asks the same scheduler
 * (`admission`) before the costly signature check and refuses a caller who could not get in line
 * with 503 and Retry-After; responses are gzipped for clients that accept it; success responses
 * carry our own signature headers (§8.1); error responses are signed with our own hotkey, never
 * with the `bt_header_axon_hotkey` value.
 *
 * Sealed mode (docs/sealed-synapse.md §10): with the hotkey's sr25519 keypair (`sealedKeypair`),
 * registering `/MusicGeneration` also serves `/MusicGenerationSealed` behind the same pipeline
 * (blacklist, signature, the one nonce store of both routes, the same admission). A sealed
 * request is opened from its headers and payload, the plaintext route's handler runs on the
 * decrypted inputs, and its `music_output` goes back sealed and signed. A request that does not open
 * gets `sealedErrorStatus` (400/401, never 404: that would tell validators to fall back). Python
 * validators never ask for the route; a Python miner answers 404 to it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzip } from 'node:zlib';
import type { KeyringPair } from '@polkadot/keyring/types';
import {
  PingSynapse,
  baseSynapseDefaults,
  orderedSynapseFields,
  type AnySynapse,
  type SynapseDefinition,
  type SynapseBase,
} from '../../src-shared/synapse/synapse.js';
import { terminalInfo } from '../../src-shared/synapse/terminal-info.js';
import type { Logger } from '../log/logger.js';
import { DEFAULT_BLACKLIST_POLICY, type BlacklistPolicy, type Caller, type MetagraphProvider } from './blacklist.js';
import { encodeSynapseBody } from './body-codec.js';
import { computeBodyHash, sha3_256Hex, type NetSynapseDefinition } from './body-hash.js';
import { systemClock, type WallClock } from './clock.js';
import { RESPONSE_SIGNATURE_HEADER, SDK_VERSION_INT } from './constants.js';
import { AxonRejection, MalformedBodyError, axonErrors } from './errors.js';
import { PLAINTEXT_SYNAPSE_NAME, SealedError, type Sr25519Keypair } from './sealed/index.js';
import {
  MusicGenerationSealedSynapse,
  openSealedRequest,
  plaintextRequest,
  resolveSealedKeypair,
  sealedAnswer,
  sealedRejection,
  type MusicGenerationSealed,
} from './sealed-route.js';
import { headerSafe, synapseHeaders, type HeaderList } from './headers.js';
import { acceptsGzip } from './http-body.js';
import { NonceGuard } from './nonce-guard.js';
import { axonMessage, hotkeyProblem, responseMessage, signMessage } from './signing.js';
import {
  ClientGoneError,
  verifyAxonRequest,
  type AxonIdentity,
  type PipelineContext,
  type PipelineHooks,
  type RequestProgress,
  type VerifiedRequest,
} from './verify-request.js';

/** What a route handler may return: the synapse to send back (its `axon.status_code` is the HTTP status). */
export interface RouteReply {
  synapse: AnySynapse;
}

export interface RouteContext {
  /** Fires when the client goes away; long work should stop. */
  signal: AbortSignal;
}

/** A low-level route: gets the verified request, returns the synapse to answer with, or throws an AxonRejection. */
export type RouteHandler<T extends AnySynapse = AnySynapse> = (
  request: VerifiedRequest<T>,
  context: RouteContext,
) => Promise<RouteReply>;

export interface HandlerContext extends RouteContext {
  /** The synapse built from the request headers (authenticated dendrite fields, TCP peer). */
  headerSynapse: SynapseBase;
  /** The route the request came in on: the definition's name, or `MusicGenerationSealed` for a sealed request. */
  route: string;
}

/** The miner's work: the request synapse in, the answered synapse out (Python's forward function). */
export type SynapseHandler<T extends AnySynapse> = (synapse: T, caller: Caller, context: HandlerContext) => Promise<T>;

export interface RouteOptions {
  /** Asks `admission` before the signature check (default true; the ping route does not). */
  queued?: boolean;
}

/**
 * Where the expensive work waits (the miner's WorkScheduler): asked before the signature check,
 * so that a caller who could not get in line is refused cheaply. The handler itself submits the
 * work, and maps the scheduler's refusals to 503/408.
 */
export interface AxonAdmission {
  /** Whether a caller with this stake (rao) would get a place in line now. */
  canAdmit(stake: bigint): boolean;
}

export interface AxonLimits {
  /** Request bodies above this get 413. Default 1 MiB. */
  maxBodyBytes: number;
  /** Retry-After of 503 answers, seconds. Default 15. */
  retryAfterSeconds: number;
  /** Most (hotkey, uuid) pairs whose last nonce is remembered. Default 65 536. */
  nonceCacheSize: number;
  /** Largest request `timeout` that widens the first-contact nonce window, seconds. Default 600. */
  maxWindowTimeoutSeconds: number;
  /** Time allowed to send the whole request (headers and body), ms. Default 30 000. */
  requestTimeoutMs: number;
  /** Responses at least this long are gzipped when the client accepts gzip. Default 1024. */
  gzipMinBytes: number;
}

export const DEFAULT_AXON_LIMITS: Readonly<AxonLimits> = Object.freeze({
  maxBodyBytes: 1024 * 1024,
  retryAfterSeconds: 15,
  nonceCacheSize: 65_536,
  maxWindowTimeoutSeconds: 600,
  requestTimeoutMs: 30_000,
  gzipMinBytes: 1024,
});

export interface AxonOptions {
  hotkey: KeyringPair;
  metagraph: MetagraphProvider;
  log?: Logger;
  policy?: Partial<BlacklistPolicy>;
  limits?: Partial<AxonLimits>;
  /** Unix ns; injectable for fixed-time vectors. */
  clock?: WallClock;
  /** The instance uuid. Default: a random one. */
  uuid?: string;
  /** The version integer we announce. Default 10002000 (SDK 10.2.0). */
  version?: number;
  /**
   * The hotkey's sr25519 keypair, for the sealed route: `sealedKeypair(walletKey)` or
   * `sealedKeypairFromPair(hotkey)`. It must be `hotkey`'s.
   */
  sealedKeypair?: Sr25519Keypair;
  /**
   * Serve `/MusicGenerationSealed` next to `/MusicGeneration`, with the same handler. Default: on
   * when `sealedKeypair` is given. `true` without a keypair reads it from `hotkey`; `false` turns
   * the route off.
   */
  sealed?: boolean;
  /** The work scheduler's early answer; without it every verified request reaches its handler. */
  admission?: AxonAdmission;
}

interface Route {
  definition: NetSynapseDefinition<AnySynapse>;
  handler: RouteHandler<AnySynapse>;
  queued: boolean;
}

export class Axon {
  readonly hotkey: string;
  readonly uuid: string;
  readonly limits: Readonly<AxonLimits>;
  /** Whether `/MusicGenerationSealed` is served (once `/MusicGeneration` is). */
  readonly sealed: boolean;
  private readonly sealedKeypair: Sr25519Keypair | undefined;
  private readonly identity: AxonIdentity;
  private readonly context: PipelineContext;
  private readonly routes = new Map<string, Route>();
  private readonly admission: AxonAdmission | undefined;
  private readonly clock: WallClock;
  private readonly log: Logger | undefined;
  private server: Server | undefined;
  private inFlight = 0;
  private refusedBusy = 0;

  constructor(options: AxonOptions) {
    this.limits = Object.freeze({ ...DEFAULT_AXON_LIMITS, ...options.limits });
    this.clock = options.clock ?? systemClock;
    this.log = options.log;
    this.hotkey = options.hotkey.address;
    this.uuid = options.uuid ?? randomUUID();
    this.sealedKeypair = resolveSealedKeypair(options.hotkey, options.sealedKeypair, options.sealed);
    this.sealed = this.sealedKeypair !== undefined;
    this.identity = {
      pair: options.hotkey,
      hotkey: this.hotkey,
      uuid: this.uuid,
      version: options.version ?? SDK_VERSION_INT,
    };
    this.context = {
      identity: this.identity,
      clock: this.clock,
      nonces: new NonceGuard({
        maxEntries: this.limits.nonceCacheSize,
        maxWindowTimeoutSeconds: this.limits.maxWindowTimeoutSeconds,
      }),
      metagraph: options.metagraph,
      policy: { ...DEFAULT_BLACKLIST_POLICY, ...options.policy },
      maxBodyBytes: this.limits.maxBodyBytes,
    };
    this.admission = options.admission;
    // Every Python axon answers the ping route by echoing the request (§1).
    this.route(PingSynapse, async (request) => ({ synapse: request.synapse }), { queued: false });
  }

  /**
   * Registers `POST /<definition.name>` behind the verified pipeline. With sealed mode on,
   * registering `MusicGeneration` also registers `/MusicGenerationSealed` with the same handler.
   */
  route<T extends AnySynapse>(
    definition: NetSynapseDefinition<T>,
    handler: RouteHandler<T>,
    options: RouteOptions = {},
  ): this {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(definition.name))
      throw new Error(`"${definition.name}" is not a synapse class name`);
    this.routes.set(definition.name, {
      definition: definition as unknown as NetSynapseDefinition<AnySynapse>,
      handler: handler as unknown as RouteHandler<AnySynapse>,
      queued: options.queued ?? true,
    });
    if (definition.name === PLAINTEXT_SYNAPSE_NAME && this.sealedKeypair) {
      this.route(MusicGenerationSealedSynapse, this.sealedHandler(definition, handler, this.sealedKeypair), options);
    }
    return this;
  }

  /**
   * The sealed route for a plaintext one (docs/sealed-synapse.md §10, axon): open the request,
   * run the plaintext handler on the decrypted inputs only, seal its answer.
   */
  private sealedHandler<T extends AnySynapse>(
    definition: NetSynapseDefinition<T>,
    handler: RouteHandler<T>,
    miner: Sr25519Keypair,
  ): RouteHandler<MusicGenerationSealed> {
    return async (request, context) => {
      const opened = openSealedRequest(request, miner);
      const reply = await handler(plaintextRequest(definition, request, opened.inputs), context);
      return { synapse: sealedAnswer(reply.synapse, opened, miner) };
    };
  }

  /** Registers a synapse handler (Python's `axon.attach(forward_fn)`); its result is validated before it is sent. */
  attach<T extends AnySynapse>(
    definition: NetSynapseDefinition<T>,
    handler: SynapseHandler<T>,
    options: RouteOptions = {},
  ): this {
    return this.route<T>(
      definition,
      async (request, context) => {
        // The status fields of the request's axon are the client's; the answer's status is the handler's.
        const synapse: T = {
          ...request.synapse,
          axon: { ...request.synapse.axon, status_code: null, status_message: null, process_time: null },
        };
        const result = await handler(synapse, request.caller, {
          ...context,
          headerSynapse: request.headerSynapse,
          route: request.route,
        });
        const checked = definition.schema.safeParse(result);
        if (!checked.success) {
          // Python: forward returned something that is not a valid synapse → 500 (§4.8).
          const detail = checked.error.issues.map((i) => `${i.path.join('.') || '(result)'}: ${i.message}`).join('; ');
          throw axonErrors.internal(`the ${definition.name} handler returned an invalid synapse: ${detail}`);
        }
        return { synapse: checked.data };
      },
      options,
    );
  }

  routeNames(): string[] {
    return [...this.routes.keys()];
  }

  stats(): { inFlight: number; rememberedNonces: number; refusedBusy: number } {
    return { inFlight: this.inFlight, rememberedNonces: this.context.nonces.size, refusedBusy: this.refusedBusy };
  }

  /** A Node request listener, for embedding the axon in another server. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.inFlight++;
    this.serve(req, res)
      .catch((error: unknown) => {
        this.log?.error('axon request failed unexpectedly', { error: String(error) });
        if (!res.headersSent) res.destroy();
      })
      .finally(() => this.inFlight--);
  };

  async start(options: { port: number; host?: string }): Promise<{ host: string; port: number }> {
    if (this.server) throw new Error('the axon is already started');
    const server = createServer({
      requestTimeout: this.limits.requestTimeoutMs,
      headersTimeout: Math.min(this.limits.requestTimeoutMs, 15_000),
      keepAliveTimeout: 5_000,
    });
    server.maxHeadersCount = 200;
    server.on('request', this.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    this.log?.info('axon listening', { host: address.address, port: address.port, hotkey: this.hotkey });
    return { host: address.address, port: address.port };
  }

  /** Stops accepting connections, lets running requests finish for up to `graceMs`, then closes the rest. */
  async stop(options: { graceMs?: number } = {}): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = Date.now() + (options.graceMs ?? 5_000);
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    server.closeAllConnections();
    await closed;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const progress: RequestProgress = { startNs: this.clock() };
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const gzipOk = acceptsGzip(req.headers['accept-encoding']);
    const name = (req.url ?? '/').split('?')[0]?.split('/')[1] ?? '';
    const route = this.routes.get(name);
    const admission = route?.queued ? this.admission : undefined;
    const hooks: PipelineHooks = admission
      ? {
          // Shed load before the costly signature check: a caller who could not get in line is refused now.
          beforeVerify: (caller) => {
            if (!admission.canAdmit(caller.stake)) {
              progress.signErrors = false;
              this.refusedBusy++;
              throw axonErrors.busy(this.limits.retryAfterSeconds, 'the work queue is full');
            }
          },
        }
      : {};
    try {
      if (!route) throw axonErrors.unknownRoute(name, this.routeNames());
      if (req.method !== 'POST') throw axonErrors.methodNotAllowed(req.method ?? '?');
      const verified = await verifyAxonRequest(this.context, route.definition, req, progress, hooks);
      const reply = await route.handler(verified, { signal: abort.signal });
      if (abort.signal.aborted) return;
      await this.sendSynapse(res, route.definition, reply.synapse, verified, progress, gzipOk);
    } catch (error) {
      if (error instanceof ClientGoneError) {
        if (!res.headersSent) res.destroy();
        return;
      }
      if (error instanceof MalformedBodyError) {
        this.log?.debug('axon: malformed body', { route: name, error: error.message });
        await this.write(res, 422, [], encodeSynapseBody({ detail: error.detail }), gzipOk);
        return;
      }
      const rejection =
        error instanceof AxonRejection
          ? error
          : error instanceof SealedError
            ? sealedRejection(error)
            : axonErrors.internal(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      this.logRejection(name, rejection, progress);
      // A body we did not read (yet) is not drained, whatever its declared size: close instead.
      await this.sendError(res, route?.definition, rejection, progress, gzipOk, !req.complete);
    }
  }

  private logRejection(route: string, rejection: AxonRejection, progress: RequestProgress): void {
    const fields = {
      route,
      status: rejection.status,
      message: rejection.statusMessage,
      caller: progress.headerSynapse?.dendrite.hotkey ?? undefined,
      peer: progress.headerSynapse?.dendrite.ip ?? undefined,
      ...(rejection.detail ? { detail: rejection.detail } : {}),
    };
    if (rejection.status >= 500 && rejection.status !== 503) this.log?.warn('axon: request failed', fields);
    else this.log?.debug('axon: request refused', fields);
  }

  private processSeconds(progress: RequestProgress): number {
    return Number(this.clock() - progress.startNs) / 1e9;
  }

  /** §4.8 / §5.1: the full synapse, `axon.status_code` in the body and the header, lowercase names. */
  private async sendSynapse(
    res: ServerResponse,
    definition: NetSynapseDefinition<AnySynapse>,
    synapse: AnySynapse,
    verified: VerifiedRequest,
    progress: RequestProgress,
    gzipOk: boolean,
  ): Promise<void> {
    const status = synapse.axon.status_code ?? 200;
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw axonErrors.internal(`the handler set axon.status_code ${status}`);
    }
    const answered: AnySynapse = {
      ...synapse,
      name: definition.name,
      axon: {
        ...synapse.axon,
        status_code: status,
        status_message: status === 200 && !synapse.axon.status_message ? 'Success' : synapse.axon.status_message,
        process_time: this.processSeconds(progress),
      },
    };
    const body = encodeSynapseBody(orderedSynapseFields(definition, answered));
    const headers = synapseHeaders(definition, answered, {
      bodyHash: computeBodyHash(definition, answered),
      totalSize: body.length,
    });
    const { dendrite } = verified.headerSynapse;
    if (dendrite.hotkey !== null && dendrite.nonce !== null && dendrite.uuid !== null) {
      const axonNonce = this.clock();
      const bodyHash = sha3_256Hex(body);
      const message = responseMessage({
        axonNonce,
        dendriteHotkey: dendrite.hotkey,
        axonHotkey: this.hotkey,
        axonUuid: this.uuid,
        dendriteNonce: dendrite.nonce,
        dendriteUuid: dendrite.uuid,
        bodyHash,
      });
      headers.push(
        [RESPONSE_SIGNATURE_HEADER.nonce, axonNonce.toString()],
        [RESPONSE_SIGNATURE_HEADER.uuid, this.uuid],
        [RESPONSE_SIGNATURE_HEADER.hotkey, this.hotkey],
        [RESPONSE_SIGNATURE_HEADER.bodyHash, bodyHash],
        [RESPONSE_SIGNATURE_HEADER.signature, signMessage(this.identity.pair, message)],
      );
    }
    await this.write(res, status, headers, body, gzipOk);
  }

  /** §4.9: `{"message": …}` with the headers of the synapse being processed, signed by the axon (§4.3). */
  private async sendError(
    res: ServerResponse,
    definition: NetSynapseDefinition<AnySynapse> | undefined,
    rejection: AxonRejection,
    progress: RequestProgress,
    gzipOk: boolean,
    closeConnection: boolean,
  ): Promise<void> {
    const body = encodeSynapseBody({ message: rejection.statusMessage });
    const processTime = this.processSeconds(progress);
    let headers: HeaderList;
    const parsed = progress.headerSynapse;
    if (definition && parsed) {
      const axonNonce = parsed.axon.nonce ?? progress.startNs;
      // Only a subnet hotkey goes into the signed text, so strangers get no signatures (§4.3).
      const dendriteHotkey = hotkeyProblem(parsed.dendrite.hotkey) === undefined ? parsed.dendrite.hotkey : null;
      const signature = progress.signErrors
        ? signMessage(
            this.identity.pair,
            axonMessage({ nonce: axonNonce, dendriteHotkey, axonHotkey: this.hotkey, uuid: this.uuid }),
          )
        : null;
      const synapse: AnySynapse = {
        ...parsed,
        axon: {
          ...parsed.axon,
          status_code: rejection.status,
          status_message: rejection.statusMessage,
          process_time: processTime,
          signature,
        },
      };
      headers = synapseHeaders(definition, synapse, {
        bodyHash: computeBodyHash(definition, synapse),
        totalSize: body.length,
      });
    } else {
      // Before the headers parsed, Python answers with a default Synapse's headers (§4.9).
      const fallback = definition ?? (PingSynapse as unknown as SynapseDefinition<AnySynapse>);
      const synapse: AnySynapse = {
        ...baseSynapseDefaults(fallback.name),
        axon: terminalInfo({
          status_code: rejection.status,
          status_message: rejection.statusMessage,
          process_time: processTime,
        }),
      };
      headers = synapseHeaders(fallback, synapse, {
        bodyHash: computeBodyHash(fallback, synapse),
        totalSize: body.length,
      });
    }
    headers.push(...rejection.extraHeaders);
    if (closeConnection || rejection.status === 413) headers.push(['connection', 'close']);
    await this.write(res, rejection.status, headers, body, gzipOk);
  }

  private async write(
    res: ServerResponse,
    status: number,
    headers: HeaderList,
    body: Buffer,
    gzipOk: boolean,
  ): Promise<void> {
    if (res.headersSent || res.destroyed) return;
    let payload = body;
    const out: string[] = [];
    for (const [name, value] of headers) out.push(name, headerSafe(value));
    if (gzipOk && body.length >= this.limits.gzipMinBytes) {
      payload = await new Promise<Buffer>((resolve, reject) =>
        gzip(body, { level: 4 }, (error, result) => (error ? reject(error) : resolve(result))),
      );
      out.push('content-encoding', 'gzip');
    }
    out.push('vary', 'accept-encoding', 'content-type', 'application/json', 'content-length', String(payload.length));
    if (res.destroyed) return;
    res.writeHead(status, out);
    res.end(payload);
  }
}
