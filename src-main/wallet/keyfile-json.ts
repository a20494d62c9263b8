/**
 * The keyfile JSON of btcli / bittensor-wallet (wire-protocol §9.2): what a plaintext key file
 * holds, or what an encrypted one holds once decrypted. This module only parses and writes the
 * text; turning the fields into a key is keys.ts's job.
 */
import { z } from 'zod';
import { WalletError } from './errors.js';

/** The six fields, as the files spell them. Every one may be missing. */
export interface KeyfileData {
  accountId?: string;
  publicKey?: string;
  privateKey?: string;
  secretPhrase?: string;
  secretSeed?: string;
  ss58Address?: string;
}

/** The order Python SDK ≤ 7 writes them in (wire-protocol §9.2). */
export const KEYFILE_FIELDS = [
  'accountId',
  'publicKey',
  'privateKey',
  'secretPhrase',
  'secretSeed',
  'ss58Address',
] as const satisfies readonly (keyof KeyfileData)[];

// wire-protocol §9.2 reader rules: any key order, missing keys and nulls are all fine. Unknown
// keys are ignored rather than refused, since other tools may add their own.
const field = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);
const KeyfileJsonSchema = z.object({
  accountId: field,
  publicKey: field,
  privateKey: field,
  secretPhrase: field,
  secretSeed: field,
  ss58Address: field,
});

/**
 * Parses decrypted or plaintext keyfile text. Besides JSON it accepts the Python 7 plaintext that
 * is just `0x` + a public key in hex (wire-protocol §9.2), returned as a public-only record.
 * `source` names the file in error messages.
 */
export function parseKeyfileText(text: string, source = 'key file'): KeyfileData {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (/^0x[0-9a-fA-F]*$/.test(trimmed)) {
    if (trimmed.length !== 66) throw new WalletError('corrupt_file', `${source}: a public key is 32 bytes of hex`);
    return { publicKey: trimmed.toLowerCase() };
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    // The text may hold secrets, so neither it nor the parser's message (which quotes it) is shown.
    throw new WalletError('corrupt_file', `${source} is not valid JSON (damaged, or not a key file)`);
  }
  const parsed = KeyfileJsonSchema.safeParse(json);
  if (!parsed.success) {
    const where = [...new Set(parsed.error.issues.map((issue) => issue.path.map(String).join('.') || 'file'))];
    throw new WalletError('corrupt_file', `${source} is not a key file (bad field: ${where.join(', ')})`);
  }
  return dropEmpty(parsed.data);
}

/**
 * The text bittensor-wallet (Rust, SDK ≥ 8) writes: only the keys that have values, compact JSON
 * (wire-protocol §9.2). Rust's order is a hash map's; ours is the Python order, which every reader
 * accepts.
 */
export function serializeKeyfile(data: KeyfileData): string {
  const out: Record<string, string> = {};
  for (const key of KEYFILE_FIELDS) {
    const value = data[key];
    if (value !== undefined) out[key] = value;
  }
  return JSON.stringify(out);
}

/**
 * The text Python SDK ≤ 7 writes: all six keys in order, `null` for missing values, `json.dumps`
 * separators `", "` and `": "` (wire-protocol §9.2; TV-10's plaintext is this form).
 */
export function serializeKeyfilePython7(data: KeyfileData): string {
  const parts = KEYFILE_FIELDS.map((key) => `${JSON.stringify(key)}: ${pythonJsonString(data[key])}`);
  return `{${parts.join(', ')}}`;
}

/** `json.dumps` of a str or None: ASCII only, non-ASCII as \uXXXX (ensure_ascii=True). */
function pythonJsonString(value: string | undefined): string {
  if (value === undefined) return 'null';
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function dropEmpty(data: KeyfileData): KeyfileData {
  const out: KeyfileData = {};
  for (const key of KEYFILE_FIELDS) {
    const value = data[key];
    // An empty string means "no value" to both writers' readers (Python tests truthiness).
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}
