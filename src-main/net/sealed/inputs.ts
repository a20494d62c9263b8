/**
 * What a sealed request hides: every input field of the SN50 synapse (wire-protocol §7.1). The
 * envelope fields (name, timeout, sizes, terminal infos) stay in the clear because the shared
 * middleware needs them; `music_output` is an output. Plaintext = UTF-8 of the canonical JSON of
 * all three fields, nulls included, so one set of inputs has exactly one encoding.
 */
import { z } from 'zod';
import { utf8 } from './bytes.js';
import { canonicalJson } from './canonical-json.js';
import { MAX_REQUEST_PLAINTEXT, MUSIC_MODEL_NAMES, type MusicModelName } from './constants.js';
import { SealedError } from './errors.js';

/** Wire names, as the protocol spells them. */
export interface SealedRequestInputs {
  /** The prompt: the field sealed mode exists to hide and to authenticate. */
  readonly text_input: string;
  readonly model_name: MusicModelName | null;
  /** MusicGen `max_new_tokens` (≈ 50 per second), despite the name; 755 on SN50. */
  readonly duration: number | null;
}

export const SealedRequestInputsSchema = z.strictObject({
  text_input: z.string(),
  model_name: z.enum(MUSIC_MODEL_NAMES).nullable(),
  duration: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable(),
});

/** Canonical JSON bytes, e.g. `{"duration":755,"model_name":null,"text_input":"lo-fi"}`. */
export function encodeRequestInputs(inputs: SealedRequestInputs): Uint8Array {
  const checked = SealedRequestInputsSchema.safeParse(inputs);
  if (!checked.success) throw new SealedError('invalid_input', `request inputs: ${describeIssues(checked.error)}`);
  const bytes = utf8(
    canonicalJson({
      text_input: checked.data.text_input,
      model_name: checked.data.model_name,
      duration: checked.data.duration,
    }),
  );
  if (bytes.length > MAX_REQUEST_PLAINTEXT) {
    throw new SealedError('invalid_input', `request inputs exceed ${MAX_REQUEST_PLAINTEXT} bytes`);
  }
  return bytes;
}

/** The reverse, strictly: valid UTF-8, valid fields, and byte-identical to the canonical form. */
export function decodeRequestInputs(plaintext: Uint8Array): SealedRequestInputs {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    throw new SealedError('bad_plaintext', 'request plaintext is not UTF-8 JSON');
  }
  const checked = SealedRequestInputsSchema.safeParse(parsed);
  if (!checked.success) throw new SealedError('bad_plaintext', `request plaintext: ${describeIssues(checked.error)}`);
  const inputs: SealedRequestInputs = checked.data;
  if (!sameBytes(encodeRequestInputs(inputs), plaintext)) {
    throw new SealedError('bad_plaintext', 'request plaintext is not in canonical form');
  }
  return inputs;
}

/** Field paths and zod's words only: never the values, which may be a prompt. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`).join('; ');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
