/** Protocol constants of wire-protocol §2.3, §3.3 and §4.5, in one place. */

/** `version_as_int` of the SDK whose behaviour we copy (10.2.0; wire-protocol §2.3). */
export const SDK_VERSION_INT = 10_002_000;
/** Below this dendrite version a Python axon uses the legacy nonce rule (§4.5). */
export const V_7_2_0 = 7_002_000;

/** Slack of the first-contact nonce window, added to the request's timeout (§4.5). */
export const ALLOWED_DELTA_NS = 4_000_000_000n;
export const NANOSECONDS_PER_SECOND = 1_000_000_000n;

/** SHA3-256 of the empty string: the body hash of every synapse without hash fields (TV-1). */
export const EMPTY_BODY_HASH = 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a';

/** Header names (lowercase, as the Python side expects them; §3.3). */
export const HEADER = {
  name: 'name',
  timeout: 'timeout',
  headerSize: 'header_size',
  totalSize: 'total_size',
  computedBodyHash: 'computed_body_hash',
  axonPrefix: 'bt_header_axon_',
  dendritePrefix: 'bt_header_dendrite_',
  inputObjPrefix: 'bt_header_input_obj_',
} as const;

/**
 * Our own response-signature headers (wire-protocol §8.1: "MAY sign success responses with extra
 * headers that Python clients simply ignore"). They contain no `bt_header_`, so Python's
 * `from_headers` skips them.
 */
export const RESPONSE_SIGNATURE_HEADER = {
  nonce: 'x-bittaudio-axon-nonce',
  uuid: 'x-bittaudio-axon-uuid',
  hotkey: 'x-bittaudio-axon-hotkey',
  bodyHash: 'x-bittaudio-body-sha3',
  signature: 'x-bittaudio-axon-signature',
} as const;
