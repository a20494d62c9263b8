/**
 * Sealed synapse v1: `/MusicGenerationSealed`, the SN50 synapse with encrypted inputs and outputs,
 * a request signature that covers the ciphertext, and a signed response. Pure functions over
 * bytes; the axon and dendrite do the HTTP. The construction and its threat model are in
 * docs/sealed-synapse.md.
 */
export {
  PLAINTEXT_ROUTE,
  PLAINTEXT_SYNAPSE_NAME,
  SEALED_ROUTE,
  SEALED_SYNAPSE_NAME,
  SEALED_VERSION,
  MUSIC_MODEL_NAMES,
  type MusicModelName,
} from './constants.js';
export { SealedError, sealedErrorStatus, type SealedErrorCode } from './errors.js';
export { canonicalJson, canonicalNumber, type CanonicalJson } from './canonical-json.js';
export {
  SealedRequestInputsSchema,
  decodeRequestInputs,
  encodeRequestInputs,
  type SealedRequestInputs,
} from './inputs.js';
export { decodeResponseOutputs, encodeResponseOutputs, type SealedResponseOutputs } from './outputs.js';
export {
  deriveRequestKey,
  hotkeyOf,
  sealedKeypair,
  sealedKeypairFromPair,
  type DeriveRequestKeyArgs,
  type SealedDirection,
  type SealedRequestKey,
  type SealedRole,
  type Sr25519Keypair,
} from './keys.js';
export { signatureMessage, type SealedEnvelope } from './envelope.js';
export { sha3Hex as sealedBodyHash } from './bytes.js';
export { type RandomSource } from './payload.js';
export {
  openRequest,
  sealRequest,
  type OpenRequestArgs,
  type OpenedRequest,
  type SealRequestArgs,
  type SealedRequest,
} from './request.js';
export {
  openResponse,
  sealResponse,
  type OpenResponseArgs,
  type SealResponseArgs,
  type SealedRequestRef,
  type SealedResponse,
} from './response.js';
export {
  SEALED_EMPTY_FIELDS,
  SealedRequestBodySchema,
  SealedResponseBodySchema,
  TerminalInfoSchema,
  parseSealedRequestBody,
  parseSealedResponseBody,
  sealedBodyHashOf,
  sealedRequestFields,
  sealedResponseFields,
  type SealedRequestBody,
  type SealedResponseBody,
} from './body.js';
export {
  DEFAULT_PLAINTEXT_TTL_MS,
  DEFAULT_STICKY_MS,
  SealedFallbackCache,
  type NotFoundDecision,
  type SealedFallbackCacheOptions,
  type SealedRouteChoice,
} from './fallback-cache.js';
