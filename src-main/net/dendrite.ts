/**
 * The dendrite: the validator's client (wire-protocol §3, §5). Each call builds exactly the
 * Python dendrite's request (URL, headers, body, signature), sends it with a total timeout, and
 * folds the answer into a copy of the synapse the way the Python dendrite does, including its
 * client-side status codes (408 timeout, 503 unreachable, 422 unparsable …).
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
import type { Logger } from '../engine/logger.js';
import { encodeSynapseBody } from './body-codec.js';
import { computeBodyHash, sha3_256Hex } from './body-hash.js';
import { NonceSequence, systemClock, type WallClock } from './clock.js';
import { RESPONSE_SIGNATURE_HEADER, SDK_VERSION_INT } from './constants.js';
import { applyResponse, ResponseParseError, type RawResponse } from './dendrite-response.js';
import { dendriteErrors } from './errors.js';
import { headerMap, synapseHeaders, type HeaderList } from './headers.js';
import { BodyTooLargeError, decodeContentEncoding } from './http-body.js';
import { dendriteMessage, responseMessage, signMessage, verifySignature } from './signing.js';

/** Where to send a query: the axon's hotkey and address from the metagraph. */
export interface AxonEndpoint {
  hotkey: string;
  ip: string;
  port: number;
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
  prepared.dendrite.signature = signMessage(signer.pair, message);
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
  private readonly pair: KeyringPair;
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

  /** One call, with the check of our axons' response signature. */
  async callDetailed<T extends AnySynapse>(
    axon: AxonEndpoint,
    synapse: T,
    options: QueryOptions = {},
  ): Promise<DendriteResult<T>> {
    const definition = (options.definition ?? this.definitions.get(synapse.name)) as SynapseDefinition<T> | undefined;
    if (!definition) throw new Error(`unknown synapse class "${synapse.name}": pass its definition`);
    const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const nonce = this.nonces.next();
    const prepared = prepareRequest(
      definition,
      synapse,
      axon,
      { pair: this.pair, uuid: this.uuid, nonce, version: this.version, externalIp: this.externalIp },
      timeoutSeconds,
    );
    const fail = (status: number, message: string): DendriteResult<T> => {
      this.log?.debug('dendrite: call failed', { axon: axon.hotkey, status, message });
      return {
        synapse: {
          ...prepared.synapse,
          dendrite: { ...prepared.synapse.dendrite, status_code: status, status_message: message },
        },
        axonSignature: 'absent',
      };
    };
    if (!Number.isInteger(axon.port) || axon.port < 1 || axon.port > 65_535 || axon.ip === '') {
      const e = dendriteErrors.unparsable(`invalid axon address ${axon.ip}:${axon.port}`);
      return fail(e.status, e.message);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of prepared.headers) headers[name] = value;
    headers['content-type'] = 'application/json';
    headers['accept'] = '*/*';
    headers['accept-encoding'] = 'gzip, deflate';
    headers['content-length'] = String(prepared.body.length);
    const started = performance.now();
    const attempt = (): Promise<RawResponse> =>
      send(prepared.url, headers, prepared.body, {
        timeoutMs: Math.max(1, Math.round(timeoutSeconds * 1000 - (performance.now() - started))),
        maxResponseBytes: this.maxResponseBytes,
        agent: this.agent,
        signal: options.signal,
      });
    let response: RawResponse;
    try {
      try {
        response = await attempt();
      } catch (error) {
        const stale =
          error instanceof TransportError && error.failure.kind === 'disconnected' && error.failure.staleSocket;
        if (!stale) throw error;
        this.log?.debug('dendrite: pooled connection was closed by the axon; retrying once', { axon: axon.hotkey });
        response = await attempt();
      }
    } catch (error) {
      const e = this.mapTransportError(error, axon, definition.name, timeoutSeconds);
      return fail(e.status, e.message);
    }
    try {
      const merged = applyResponse(definition, prepared.synapse, response);
      merged.dendrite = { ...merged.dendrite, process_time: (performance.now() - started) / 1000 };
      const axonSignature = checkAxonSignature(response, axon.hotkey, { hotkey: this.hotkey, nonce, uuid: this.uuid });
      this.log?.debug('dendrite: answered', {
        axon: axon.hotkey,
        status: merged.dendrite.status_code,
        seconds: merged.dendrite.process_time,
        axonSignature,
      });
      return { synapse: merged, axonSignature };
    } catch (error) {
      const detail = error instanceof ResponseParseError || error instanceof Error ? error.message : String(error);
      const e = dendriteErrors.unparsable(detail);
      return fail(e.status, e.message);
    }
  }

  /** Closes pooled connections (only of the agent this dendrite made). */
  close(): void {
    if (this.ownsAgent) this.agent.destroy();
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
