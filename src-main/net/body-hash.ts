/**
 * The body hash of wire-protocol §3.6: SHA3-256 (FIPS-202, never Keccak) over the Python `str()`
 * of each `required_hash_fields` value, hashed once more over the concatenated hex digests.
 */
import { createHash } from 'node:crypto';
import type { SynapseDefinition } from '../../src-shared/synapse/synapse.js';
import { EMPTY_BODY_HASH } from './constants.js';
import { pythonStr } from './python-text.js';

export function sha3_256Hex(data: string | Uint8Array): string {
  return createHash('sha3-256').update(data).digest('hex');
}

/** Lowercase hex, no `0x`; the constant EMPTY_BODY_HASH for classes without hash fields (SN50). */
export function computeBodyHash(definition: Pick<SynapseDefinition, 'hashFields'>, synapse: object): string {
  if (definition.hashFields.length === 0) return EMPTY_BODY_HASH;
  const values = synapse as Record<string, unknown>;
  const parts = definition.hashFields.map((field) => sha3_256Hex(pythonStr(values[field.name], field.type)));
  return sha3_256Hex(parts.join(''));
}
