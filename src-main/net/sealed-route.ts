/**
 * The sealed route on the wire: what the axon and the dendrite need to carry sealed synapse v1
 * (docs/sealed-synapse.md, the cryptography in sealed/) over the standard `bt_header_*` envelope.
 *
 * - {@link MusicGenerationSealedSynapse}: the synapse class `MusicGenerationSealed`, served at
 *   `/MusicGenerationSealed`. Its schema reads the envelope like any synapse and keeps the sealed
 *   fields as they came, so that `parseSealedRequestBody`/`parseSealedResponseBody` judge them
 *   (`downgrade`, `malformed`). Its body hash is the SHA3-256 of the sealed payload, which the
 *   request signature covers; a body that does not match the signed hash is `body_hash_mismatch`.
 * - Axon side: {@link openSealedRequest} (envelope from the headers, then `openRequest`),
 *   {@link plaintextRequest} (the decrypted inputs as the plaintext route's request, for the same
 *   handler) and {@link sealedAnswer} (the handler's answer, sealed and signed).
 * - Dendrite side: {@link sealedRequestSynapse} and {@link openSealedAnswer}.
 * - {@link sealedRejection}: the axon's answer to a SealedError (never 404).
 */
import type { KeyringPair } from '@polkadot/keyring/types';
import { z } from 'zod';
import {
  SYNAPSE_BASE_FIELDS,
  baseSynapseDefaults,
  synapseBaseShape,
  type AnySynapse,
  type SynapseBase,
} from '../../src-shared/synapse/synapse.js';
import { decodeSynapseBody } from './body-codec.js';
import type { NetSynapseDefinition } from './body-hash.js';
import { EMPTY_BODY_HASH, HEADER } from './constants.js';
import { AxonRejection, axonErrors } from './errors.js';
import {
  SEALED_EMPTY_FIELDS,
  SEALED_SYNAPSE_NAME,
  SealedError,
  SealedRequestInputsSchema,
  openRequest,
  openResponse,
  parseSealedRequestBody,
  parseSealedResponseBody,
  sealResponse,
  sealedBodyHashOf,
  sealedErrorStatus,
  sealedKeypairFromPair,
  sealedRequestFields,
  sealedResponseFields,
  type OpenedRequest,
  type SealedRequest,
  type SealedRequestInputs,
  type SealedResponseOutputs,
  type Sr25519Keypair,
} from './sealed/index.js';
import type { VerifiedRequest } from './verify-request.js';

/**
 * A synapse of the sealed route. The subclass fields are `unknown` on purpose: the schema only
 * reads the envelope, and the sealed-body parsers decide what the rest may hold.
 */
export type MusicGenerationSealed = SynapseBase & {
  /** `""` on the wire; required, so the `bt_header_input_obj_text_input` placeholder is too. */
  text_input: unknown;
  model_name: unknown;
  music_output: unknown;
  duration: unknown;
  /** Base64 of the sealed payload (request or response). */
  sealed_payload: unknown;
  /** The miner's signature over the response payload; responses only. */
  sealed_signature: unknown;
};

/** As it came; absent is null. */
const asSent = z.unknown().default(null);

export const MusicGenerationSealedSchema: z.ZodType<MusicGenerationSealed, unknown> = z.object({
  ...synapseBaseShape(SEALED_SYNAPSE_NAME),
  text_input: z.unknown().refine((value) => value !== undefined, 'Field required'),
  model_name: asSent,
  music_output: asSent,
  duration: asSent,
  sealed_payload: asSent,
  sealed_signature: asSent,
});

const SEALED_REQUEST_FIELDS = [
  ...SYNAPSE_BASE_FIELDS,
  'text_input',
  'model_name',
  'music_output',
  'duration',
  'sealed_payload',
] as const;

const sealedBodyHash = {
  /**
   * SHA3-256 of the decoded `sealed_payload` (docs/sealed-synapse.md §5). A synapse that carries
   * none (an error response, a header-only synapse) has nothing hashed: the hash of "".
   */
  compute: (synapse: object): string => {
    const payload = 'sealed_payload' in synapse ? synapse.sealed_payload : null;
    return typeof payload === 'string' ? sealedBodyHashOf({ sealed_payload: payload }) : EMPTY_BODY_HASH;
  },
  mismatch: (): Error =>
    new SealedError('body_hash_mismatch', 'sha3-256 of sealed_payload is not the signed computed_body_hash'),
};

/** `MusicGenerationSealed`: the route the axon serves and the class of its answers. */
export const MusicGenerationSealedSynapse: NetSynapseDefinition<MusicGenerationSealed> = {
  name: SEALED_SYNAPSE_NAME,
  schema: MusicGenerationSealedSchema,
  fields: [...SEALED_REQUEST_FIELDS, 'sealed_signature'],
  requiredFields: [{ name: 'text_input', placeholderJson: '""' }],
  hashFields: [],
  bodyHash: sealedBodyHash,
};

/** The same class as the dendrite sends it: a request has no `sealed_signature` (docs/sealed-synapse.md §7.1). */
export const MusicGenerationSealedRequest: NetSynapseDefinition<MusicGenerationSealed> = {
  ...MusicGenerationSealedSynapse,
  fields: SEALED_REQUEST_FIELDS,
};

/** The base fields of a synapse, under another class name. */
function baseFields(synapse: SynapseBase, name: string): SynapseBase {
  return {
    name,
    timeout: synapse.timeout,
    total_size: synapse.total_size,
    header_size: synapse.header_size,
    dendrite: synapse.dendrite,
    axon: synapse.axon,
    computed_body_hash: synapse.computed_body_hash,
  };
}

/**
 * The sealed keypair of an axon or a dendrite: `given` (it must be `pair`'s), else read from `pair`
 * when sealed mode is asked for (`enabled` true), else none. `enabled` false turns sealed mode off.
 */
export function resolveSealedKeypair(
  pair: KeyringPair,
  given: Sr25519Keypair | undefined,
  enabled: boolean | undefined,
): Sr25519Keypair | undefined {
  if (enabled === false) return undefined;
  if (given === undefined) return enabled === true ? sealedKeypairFromPair(pair) : undefined;
  const own = pair.publicKey;
  if (given.publicKey.length !== own.length || given.publicKey.some((byte, i) => byte !== own[i])) {
    throw new SealedError('invalid_input', 'the sealed keypair is not the keypair of this hotkey');
  }
  return given;
}

/** How the axon answers a SealedError: `sealedErrorStatus` (never 404), or a 500 for our own bug. */
export function sealedRejection(error: SealedError): AxonRejection {
  const status = sealedErrorStatus(error.code);
  if (status === 500) return axonErrors.internal(`sealed route: ${error.code}: ${error.message}`);
  return new AxonRejection(status, `Sealed request refused: ${error.code}`, [], error.message);
}

// ───────────────────────────────────────── axon ─────────────────────────────────────────

/**
 * Authenticates and decrypts a request that passed the shared middleware. The envelope is built
 * from the headers as the middleware read them (the nonce as a bigint, never through a JSON
 * number), with `bt_header_axon_hotkey` as sent: `openRequest` refuses a request for another hotkey.
 * Throws SealedError.
 */
export function openSealedRequest(
  request: VerifiedRequest<MusicGenerationSealed>,
  miner: Sr25519Keypair,
): OpenedRequest {
  const body = parseSealedRequestBody(decodeSynapseBody(request.rawBody));
  const { dendrite, timeout, computed_body_hash: bodyHash } = request.headerSynapse;
  if (dendrite.nonce === null) throw new SealedError('malformed', 'the request carries no nonce');
  return openRequest({
    miner,
    envelope: {
      nonce: dendrite.nonce,
      uuid: dendrite.uuid ?? '',
      validatorHotkey: dendrite.hotkey ?? '',
      minerHotkey: request.headers.get(`${HEADER.axonPrefix}hotkey`) ?? '',
      timeout,
    },
    bodyHash: bodyHash ?? '',
    signature: dendrite.signature ?? '',
    sealedPayload: body.sealed_payload,
  });
}

/**
 * The opened request as the plaintext route's handler would have received it: the envelope of the
 * sealed request, the inputs from the decrypted payload and from nowhere else. `route` stays the
 * sealed one (a handler can tell), `rawBody` stays the sealed body.
 */
export function plaintextRequest<T extends AnySynapse>(
  definition: NetSynapseDefinition<T>,
  request: VerifiedRequest<MusicGenerationSealed>,
  inputs: SealedRequestInputs,
): VerifiedRequest<T> {
  const build = (synapse: SynapseBase, fields: SealedRequestInputs, what: string): T => {
    const parsed = definition.schema.safeParse({
      ...baseFields(synapse, definition.name),
      text_input: fields.text_input,
      model_name: fields.model_name,
      duration: fields.duration,
      music_output: null,
    });
    if (!parsed.success) throw axonErrors.internal(`the sealed ${what} is not a valid ${definition.name}`);
    return parsed.data;
  };
  return {
    route: request.route,
    definition,
    // The header-only synapse of the plaintext route has the placeholder's "" as its prompt too.
    headerSynapse: build(request.headerSynapse, { text_input: '', model_name: null, duration: null }, 'envelope'),
    synapse: build(request.synapse, inputs, 'request'),
    caller: request.caller,
    headers: request.headers,
    rawBody: request.rawBody,
    receivedAtNs: request.receivedAtNs,
  };
}

/**
 * The handler's answer, sealed to the validator: `music_output` travels inside the payload,
 * signed by the miner; nothing of it stays in the clear. A non-200 answer carries no outputs.
 */
export function sealedAnswer(answer: AnySynapse, request: OpenedRequest, miner: Sr25519Keypair): MusicGenerationSealed {
  const status = answer.axon.status_code ?? 200;
  // On this route a 404 means "sealed mode unsupported" and makes validators fall back to plaintext.
  if (status === 404) throw axonErrors.internal('the handler answered 404, which the sealed route may not send');
  const base = baseFields(answer, SEALED_SYNAPSE_NAME);
  if (status !== 200) return { ...base, ...SEALED_EMPTY_FIELDS, sealed_payload: null, sealed_signature: null };
  const sealed = sealResponse({ miner, request, outputs: { music_output: samplesOf(answer['music_output']) } });
  return { ...base, computed_body_hash: sealed.bodyHash, ...sealedResponseFields(sealed) };
}

function samplesOf(value: unknown): Float32Array | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Float32Array) return value;
  if (Array.isArray(value) && value.every((sample) => typeof sample === 'number')) return Float32Array.from(value);
  throw axonErrors.internal('the handler returned a music_output that is not a list of samples');
}

// ─────────────────────────────────────── dendrite ───────────────────────────────────────

/** The inputs of a MusicGeneration synapse, as sealed mode carries them; `invalid_input` when they cannot be. */
export function sealedInputsOf(synapse: AnySynapse): SealedRequestInputs {
  const checked = SealedRequestInputsSchema.safeParse({
    text_input: synapse['text_input'],
    model_name: synapse['model_name'],
    duration: synapse['duration'],
  });
  if (!checked.success) {
    // Field names only: the values may be a prompt.
    const fields = [...new Set(checked.error.issues.map((issue) => String(issue.path[0] ?? '(inputs)')))];
    throw new SealedError('invalid_input', `the synapse's ${fields.join(', ')} cannot be sealed`);
  }
  return checked.data;
}

/** The synapse the dendrite sends for a sealed request: the envelope of `synapse`, the sealed fields. */
export function sealedRequestSynapse(synapse: SynapseBase, sealed: SealedRequest): MusicGenerationSealed {
  return {
    ...baseSynapseDefaults(SEALED_SYNAPSE_NAME),
    total_size: synapse.total_size,
    header_size: synapse.header_size,
    computed_body_hash: synapse.computed_body_hash,
    ...sealedRequestFields(sealed),
    sealed_signature: null,
  };
}

/**
 * The outputs of a 200 answer to `request`: the body must be a sealed response (a plaintext one is
 * a `downgrade`), signed by the miner the request was sealed to, bound to this very request.
 * Throws SealedError.
 */
export function openSealedAnswer(
  answer: MusicGenerationSealed,
  request: SealedRequest,
  validator: Sr25519Keypair,
): SealedResponseOutputs {
  const body = parseSealedResponseBody(answer);
  return openResponse({ validator, request, sealedPayload: body.sealed_payload, signature: body.sealed_signature });
}
