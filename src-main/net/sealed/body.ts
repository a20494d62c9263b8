/**
 * The JSON body of the sealed route: the ordinary synapse JSON (wire-protocol §3.5) with the sealed
 * fields emptied and the payload in an extra field. The base fields and terminal infos are the
 * envelope; the shared middleware reads them from the headers as on the plaintext route.
 *
 *   request:  { …base fields…, "text_input": "", "model_name": null, "music_output": null,
 *               "duration": null, "sealed_payload": "<base64>" }
 *   response: the same, plus "sealed_signature": "0x<128 hex>"
 *
 * `text_input` is `""` because the field is required (`bt_header_input_obj_text_input: IiI=` is still
 * sent); the others are null, not their class defaults, so that no value on the sealed route can be
 * mistaken for a real choice. A body that carries any of them is refused as a downgrade: the
 * inputs and outputs come from the payload and from nowhere else.
 */
import { z } from 'zod';
import { fromBase64, sha3Hex } from './bytes.js';
import { SealedError } from './errors.js';
import { describeIssues } from './inputs.js';
import type { SealedRequest } from './request.js';
import type { SealedResponse } from './response.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const SIGNATURE = /^0x[0-9a-fA-F]{128}$/;

/** Loose: the TS and Python serializers differ in details that do not matter here (wire-protocol §2.1). */
export const TerminalInfoSchema = z.looseObject({
  status_code: z.number().int().nullish(),
  status_message: z.string().nullish(),
  process_time: z.number().nullish(),
  ip: z.string().nullish(),
  port: z.number().int().nullish(),
  version: z.number().int().nullish(),
  // A 19-digit integer that JSON.parse rounds: the header is the source of truth (wire-protocol §5.4).
  nonce: z.union([z.number(), z.string(), z.bigint()]).nullish(),
  uuid: z.string().nullish(),
  hotkey: z.string().nullish(),
  signature: z.string().nullish(),
});

/** The sealed fields with the only values they may have on the sealed route. */
export const SEALED_EMPTY_FIELDS = { text_input: '', model_name: null, music_output: null, duration: null } as const;

export const SealedRequestBodySchema = z.looseObject({
  name: z.string().nullish(),
  timeout: z.number().nullish(),
  total_size: z.number().int().nullish(),
  header_size: z.number().int().nullish(),
  dendrite: TerminalInfoSchema.nullish(),
  axon: TerminalInfoSchema.nullish(),
  computed_body_hash: z.string().nullish(),
  text_input: z.literal(''),
  model_name: z.null().optional(),
  music_output: z.null().optional(),
  duration: z.null().optional(),
  sealed_payload: z.string().min(1).regex(BASE64),
});
export type SealedRequestBody = z.infer<typeof SealedRequestBodySchema>;

export const SealedResponseBodySchema = SealedRequestBodySchema.extend({
  sealed_signature: z.string().regex(SIGNATURE),
});
export type SealedResponseBody = z.infer<typeof SealedResponseBodySchema>;

/** The subclass fields of a sealed request body, for the dendrite to merge into its synapse JSON. */
export function sealedRequestFields(sealed: Pick<SealedRequest, 'sealedPayload'>): {
  readonly text_input: '';
  readonly model_name: null;
  readonly music_output: null;
  readonly duration: null;
  readonly sealed_payload: string;
} {
  return { ...SEALED_EMPTY_FIELDS, sealed_payload: sealed.sealedPayload };
}

/** The subclass fields of a sealed response body, for the axon to merge into its synapse JSON. */
export function sealedResponseFields(sealed: Pick<SealedResponse, 'sealedPayload' | 'signature'>): {
  readonly text_input: '';
  readonly model_name: null;
  readonly music_output: null;
  readonly duration: null;
  readonly sealed_payload: string;
  readonly sealed_signature: string;
} {
  return { ...SEALED_EMPTY_FIELDS, sealed_payload: sealed.sealedPayload, sealed_signature: sealed.signature };
}

/**
 * The body hash of a sealed body, for the axon's body-integrity step (wire-protocol §4.7) and the
 * dendrite's `computed_body_hash`: SHA3-256 hex of the decoded `sealed_payload`. It replaces the
 * class rule (`required_hash_fields`) on the sealed route.
 */
export function sealedBodyHashOf(body: Pick<SealedRequestBody, 'sealed_payload'>): string {
  return sha3Hex(fromBase64(body.sealed_payload));
}

/** A parsed request body of the sealed route; `downgrade` for plaintext, `malformed` for the rest. */
export function parseSealedRequestBody(body: unknown): SealedRequestBody {
  refusePlaintext(body, 'request');
  const checked = SealedRequestBodySchema.safeParse(body);
  if (!checked.success) throw new SealedError('malformed', `sealed request body: ${describeIssues(checked.error)}`);
  fromBase64(checked.data.sealed_payload);
  return checked.data;
}

/** A parsed response body of the sealed route; a plaintext answer to a sealed request is a `downgrade`. */
export function parseSealedResponseBody(body: unknown): SealedResponseBody {
  refusePlaintext(body, 'response');
  if (typeof (body as Record<string, unknown>)['sealed_signature'] !== 'string') {
    throw new SealedError('bad_signature', 'the sealed response carries no sealed_signature');
  }
  const checked = SealedResponseBodySchema.safeParse(body);
  if (!checked.success) throw new SealedError('malformed', `sealed response body: ${describeIssues(checked.error)}`);
  fromBase64(checked.data.sealed_payload);
  return checked.data;
}

function refusePlaintext(body: unknown, what: 'request' | 'response'): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SealedError('malformed', `a sealed ${what} body is a JSON object`);
  }
  const record = body as Record<string, unknown>;
  for (const [field, empty] of Object.entries(SEALED_EMPTY_FIELDS)) {
    const value = record[field];
    // A missing field is the schema's business (text_input is required); a filled one is plaintext.
    if (value !== undefined && value !== empty)
      throw new SealedError('downgrade', `a sealed ${what} carries plaintext in ${field}`);
  }
  if (record['sealed_payload'] === undefined || record['sealed_payload'] === null) {
    throw new SealedError('downgrade', `a ${what} on the sealed route carries no sealed_payload`);
  }
}
