/** The axon and dendrite of wire-protocol §3–§5: what the rest of the app imports from net/. */
export { Axon, DEFAULT_AXON_LIMITS } from './axon.js';
export type {
  AxonLimits,
  AxonOptions,
  HandlerContext,
  RouteContext,
  RouteHandler,
  RouteOptions,
  RouteReply,
  SynapseHandler,
} from './axon.js';
export { Dendrite, DEFAULT_MAX_RESPONSE_BYTES, axonUrl, checkAxonSignature, prepareRequest } from './dendrite.js';
export type {
  AxonEndpoint,
  AxonSignatureCheck,
  DendriteOptions,
  DendriteResult,
  PreparedRequest,
  QueryOptions,
} from './dendrite.js';
export { DEFAULT_BLACKLIST_POLICY, DEFAULT_MIN_STAKE_RAO, MetagraphCallers, blacklistReason } from './blacklist.js';
export type { BlacklistPolicy, Caller, MetagraphProvider } from './blacklist.js';
export { verifyAxonRequest, ClientGoneError } from './verify-request.js';
export type {
  AxonIdentity,
  PipelineContext,
  PipelineHooks,
  RequestProgress,
  VerifiedRequest,
} from './verify-request.js';
export { AxonRejection, axonErrors, AXON_STATUS_CODES } from './errors.js';
export { systemClock, NonceSequence, type WallClock } from './clock.js';
export { computeBodyHash, sha3_256Hex } from './body-hash.js';
export type { BodyHashOverride, BodyHashRule, NetSynapseDefinition } from './body-hash.js';
// Sealed mode (docs/sealed-synapse.md): the route's class, the keys it needs, the validator's cache.
export { MusicGenerationSealedSynapse, type MusicGenerationSealed } from './sealed-route.js';
export {
  SEALED_ROUTE,
  SealedError,
  SealedFallbackCache,
  sealedKeypair,
  sealedKeypairFromPair,
  type SealedErrorCode,
  type SealedFallbackCacheOptions,
  type SealedRouteChoice,
  type Sr25519Keypair,
} from './sealed/index.js';
export { EMPTY_BODY_HASH, SDK_VERSION_INT, RESPONSE_SIGNATURE_HEADER } from './constants.js';
