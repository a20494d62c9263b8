/**
 * The axon's verified-request pipeline (wire-protocol §4.1–§4.7), as one function that every route
 * uses: the plain `/MusicGeneration`, the ping `/Synapse` and the sealed `/MusicGenerationSealed`.
 * Stricter than the SDK: the signature is always required, and it is checked together with the
 * nonce before the body is read and before anything costly. One nonce store serves every route.
 *
 * Order: header parse → blacklist → nonce and signature → store the nonce → body (size cap) →
 * JSON → body validation → body hash. Each step rejects with the status of §4.9; a route with its
 * own body-hash rule (body-hash.ts) may answer a hash mismatch with its own error.
 */
import type { IncomingMessage } from 'node:http';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { AnySynapse, SynapseDefinition } from '../../src-shared/synapse/synapse.js';
import { blacklistReason, type BlacklistPolicy, type Caller, type MetagraphProvider } from './blacklist.js';
import { BodyCodecError, decodeSynapseBody } from './body-codec.js';
import { computeBodyHash, type NetSynapseDefinition } from './body-hash.js';
import type { WallClock } from './clock.js';
import { axonErrors, malformedJson, unsupportedMediaType } from './errors.js';
import { HeaderParseError, headerMap, parseSynapseHeaders } from './headers.js';
import { BodyIncompleteError, BodyTooLargeError, readBody } from './http-body.js';
import type { NonceGuard } from './nonce-guard.js';
import { dendriteMessage, hotkeyProblem, verifySignature } from './signing.js';

/** Who the axon is: the key it verifies requests against and signs with. */
export interface AxonIdentity {
  pair: KeyringPair;
  /** SS58 of `pair`. */
  hotkey: string;
  /** This instance's uuid (Python: uuid1 text). */
  uuid: string;
  /** `version_as_int` we announce (wire-protocol §2.3). */
  version: number;
}

export interface PipelineContext {
  identity: AxonIdentity;
  clock: WallClock;
  nonces: NonceGuard;
  metagraph: MetagraphProvider;
  policy: BlacklistPolicy;
  /** Request bodies above this get 413. */
  maxBodyBytes: number;
}

/** What a route handler receives: every check passed. */
export interface VerifiedRequest<T extends AnySynapse = AnySynapse> {
  readonly route: string;
  readonly definition: SynapseDefinition<T>;
  /** The synapse built from the headers, with the axon's fill (§4.3). */
  readonly headerSynapse: T;
  /** The synapse built from the body: what Python's forward function receives (§4.7). */
  readonly synapse: T;
  readonly caller: Caller;
  /** The request headers, lowercased names (the last occurrence of a name wins). */
  readonly headers: ReadonlyMap<string, string>;
  readonly rawBody: Buffer;
  /** When the axon started on the request, Unix ns. */
  readonly receivedAtNs: bigint;
}

/** How far a request got; the error response is built from it (§4.9: headers of the synapse being processed). */
export interface RequestProgress<T extends AnySynapse = AnySynapse> {
  readonly startNs: bigint;
  headerSynapse?: T;
  /** Whether an error answer gets the axon's signature (§4.3): only once the hotkey is known to the subnet. */
  signErrors?: boolean;
}

/**
 * Hooks into the pipeline, run synchronously at two points so that decisions see the state of
 * every request already past them (nothing is awaited in between).
 */
export interface PipelineHooks {
  /** After the blacklist, before the signature check; may throw an AxonRejection (e.g. 503: shed load before verifying). */
  beforeVerify?(caller: Caller): void;
  /** Right after the signature and nonce are accepted (e.g. take a place in the work queue). */
  afterVerify?(caller: Caller): void;
}

/** The client went away (or broke the body); there is nobody to answer. */
export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
}

/** The TCP peer's address, without the IPv4-mapped prefix. */
export function peerAddress(req: IncomingMessage): { ip: string | null; port: number | null } {
  const raw = req.socket.remoteAddress ?? null;
  const ip = raw?.startsWith('::ffff:') && raw.includes('.') ? raw.slice('::ffff:'.length) : raw;
  return { ip, port: req.socket.remotePort ?? null };
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase();
}

/**
 * Runs the pipeline for a request already routed to `definition`. Resolves with the verified
 * request, or rejects with an AxonRejection (answer with its status), a MalformedBodyError (422),
 * or ClientGoneError (no answer). `progress.headerSynapse` is set as soon as the headers parse.
 */
export async function verifyAxonRequest<T extends AnySynapse>(
  context: PipelineContext,
  definition: NetSynapseDefinition<T>,
  req: IncomingMessage,
  progress: RequestProgress<T>,
  hooks: PipelineHooks = {},
): Promise<VerifiedRequest<T>> {
  const { identity, clock, nonces } = context;
  const headers = headerMap(req.rawHeaders);

  // 1. The header-only synapse (§4.2). Python answers 500 when it does not parse (§4.9).
  let headerSynapse: T;
  try {
    headerSynapse = parseSynapseHeaders(definition, headers);
  } catch (error) {
    if (error instanceof HeaderParseError) throw axonErrors.internal(error.message);
    throw error;
  }
  // 2. The axon's fill (§4.3). The axon's signature is made only if an error response needs it.
  const peer = peerAddress(req);
  headerSynapse.axon = {
    ...headerSynapse.axon,
    version: identity.version,
    uuid: identity.uuid,
    nonce: progress.startNs,
    status_code: 100,
    hotkey: identity.hotkey,
  };
  headerSynapse.dendrite = { ...headerSynapse.dendrite, ip: peer.ip, port: peer.port };
  progress.headerSynapse = headerSynapse;

  const declaredLength = Number(headers.get('content-length') ?? '0');
  if (declaredLength > context.maxBodyBytes) throw axonErrors.bodyTooLarge(context.maxBodyBytes);

  // 3. Blacklist (§4.1 step 4, §7.3) on the claimed hotkey, before verification as in Python: it is
  // a lookup in public chain data, and it spares strangers' requests the sr25519 verification.
  const { dendrite } = headerSynapse;
  const claimed = dendrite.hotkey ?? '';
  const caller = claimed === '' ? undefined : context.metagraph.caller(claimed);
  // Errors are signed by the axon (§4.3) only for hotkeys of the subnet, never for strangers.
  progress.signErrors = caller !== undefined;
  const refused = blacklistReason(caller, context.policy);
  if (refused !== undefined || !caller) throw axonErrors.blacklisted(refused ?? 'Unrecognized hotkey');

  hooks.beforeVerify?.(caller);

  // 4. Nonce and signature (§4.5), always required, before anything costly.
  const problem = hotkeyProblem(claimed);
  if (problem !== undefined) throw axonErrors.notVerified(problem);
  if (dendrite.nonce === null) throw axonErrors.notVerified('Missing Nonce');
  if (!dendrite.uuid) throw axonErrors.notVerified('Missing uuid');
  const hotkey = claimed;
  const uuid = dendrite.uuid;
  const nonce = dendrite.nonce;
  const fresh = nonces.check(hotkey, uuid, nonce, headerSynapse.timeout, clock());
  if (!fresh.ok) throw axonErrors.notVerified(fresh.reason);
  const message = dendriteMessage({
    nonce,
    dendriteHotkey: hotkey,
    // Our own key, not the header's: a request signed for another axon fails here (§3.7).
    axonHotkey: identity.hotkey,
    uuid,
    bodyHash: headers.get('computed_body_hash') ?? null,
  });
  if (!verifySignature(message, dendrite.signature, hotkey)) {
    throw axonErrors.notVerified(`Signature mismatch with ${message} and ${dendrite.signature ?? 'None'}`);
  }

  // 5. Only verified, accepted callers' nonces are stored, so nobody else can fill the table (§4.5 step 7).
  const admitted = nonces.admit(hotkey, uuid, nonce, headerSynapse.timeout, clock());
  if (!admitted.ok) throw axonErrors.notVerified(admitted.reason);
  hooks.afterVerify?.(caller);

  // 6. The body, capped.
  let rawBody: Buffer;
  try {
    rawBody = await readBody(req, context.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw axonErrors.bodyTooLarge(context.maxBodyBytes);
    if (error instanceof BodyIncompleteError) throw new ClientGoneError(error.message);
    throw error;
  }
  const type = mediaType(headers.get('content-type'));
  if (type !== undefined && type !== 'application/json') throw unsupportedMediaType(type);
  let json: Record<string, unknown>;
  try {
    json = decodeSynapseBody(rawBody);
  } catch (error) {
    if (error instanceof BodyCodecError) {
      const at = /at byte (\d+)/.exec(error.message);
      throw malformedJson(error.message, at ? Number(at[1]) : 0);
    }
    throw error;
  }

  // 7. Body validation and integrity (§4.7): both are 500 on a Python axon.
  const parsed = definition.schema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    throw axonErrors.internal(`body is not a valid ${definition.name}: ${detail}`);
  }
  const synapse = parsed.data;
  const bodyHash = computeBodyHash(definition, synapse);
  if (bodyHash !== headerSynapse.computed_body_hash) {
    const detail = `body hash ${bodyHash} does not match the computed_body_hash header ${String(headerSynapse.computed_body_hash)}`;
    throw definition.bodyHash?.mismatch?.(detail) ?? axonErrors.internal(detail);
  }
  return {
    route: definition.name,
    definition,
    headerSynapse,
    synapse,
    caller,
    headers,
    rawBody,
    receivedAtNs: progress.startNs,
  };
}
