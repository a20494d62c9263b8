/**
 * The one place that knows body hashes. The class rule of wire-protocol §3.6: SHA3-256 (FIPS-202,
 * never Keccak) over the Python `str()` of each `required_hash_fields` value, hashed once more over
 * the concatenated hex digests. A route may replace that rule with its own (the sealed route hashes
 * its sealed payload, docs/sealed-synapse.md §5); the axon's integrity check, its responses and the
 * dendrite's requests all go through {@link computeBodyHash}, so they cannot disagree.
 */
import { createHash } from 'node:crypto';
import type { HashField, SynapseBase, SynapseDefinition } from '../../src-shared/synapse/synapse.js';
import { EMPTY_BODY_HASH } from './constants.js';
import { pythonStr } from './python-text.js';

export function sha3_256Hex(data: string | Uint8Array): string {
  return createHash('sha3-256').update(data).digest('hex');
}

/** A route's own body-hash rule, used instead of the class's `required_hash_fields`. */
export interface BodyHashOverride {
  /** The body hash of a synapse of this route, lowercase hex. May throw for a body whose hashed part is malformed. */
  readonly compute: (synapse: object) => string;
  /**
   * The error for a request body that does not hash to the signed `computed_body_hash` header.
   * Default (no override, or none given): the Python axon's 500 (§4.7).
   */
  readonly mismatch?: (detail: string) => Error;
}

/** What a body hash depends on: the class rule, and the route's override when it has one. */
export interface BodyHashRule {
  readonly hashFields: SynapseDefinition['hashFields'];
  readonly bodyHash?: BodyHashOverride;
}

/** A synapse class as the net layer handles it: the shared definition, plus an optional body-hash override. */
export type NetSynapseDefinition<T extends SynapseBase = SynapseBase> = SynapseDefinition<T> & {
  readonly bodyHash?: BodyHashOverride;
};

/** Lowercase hex, no `0x`; the constant EMPTY_BODY_HASH for classes without hash fields (SN50). */
export function computeBodyHash(definition: BodyHashRule, synapse: object): string {
  if (definition.bodyHash) return definition.bodyHash.compute(synapse);
  return classBodyHash(definition.hashFields, synapse);
}

function classBodyHash(hashFields: readonly HashField[], synapse: object): string {
  if (hashFields.length === 0) return EMPTY_BODY_HASH;
  const values = synapse as Record<string, unknown>;
  const parts = hashFields.map((field) => sha3_256Hex(pythonStr(values[field.name], field.type)));
  return sha3_256Hex(parts.join(''));
}
