/**
 * The base `Synapse` (wire-protocol §2.2) and the description of a synapse class that the axon and
 * dendrite need: its name (the route), its schema, its field order, the fields the dendrite sends
 * placeholders for (§3.4) and the fields covered by the body hash (§3.6).
 */
import { z } from 'zod';
import { laxFloat, laxInt } from './lax.js';
import { emptyTerminalInfo, TerminalInfoFieldSchema, type TerminalInfo } from './terminal-info.js';

/** Field order of the base class; subclasses append theirs (wire-protocol §2.2, §3.5). */
export const SYNAPSE_BASE_FIELDS = [
  'name',
  'timeout',
  'total_size',
  'header_size',
  'dendrite',
  'axon',
  'computed_body_hash',
] as const;

/** The Python default of `timeout`, seconds. */
export const DEFAULT_SYNAPSE_TIMEOUT_SECONDS = 12.0;

// Type aliases, not interfaces, so that a synapse is assignable to Record<string, unknown>.
export type SynapseBase = {
  /** Always the class name, whatever was sent. */
  name: string;
  /** Seconds. */
  timeout: number | null;
  total_size: number | null;
  header_size: number | null;
  dendrite: TerminalInfo;
  axon: TerminalInfo;
  /** Never assigned by Python (frozen); the hash travels in the `computed_body_hash` header. */
  computed_body_hash: string | null;
};

/** The base fields' shape for a class called `className` (the name is forced, as Python's pre-validator does). */
export function synapseBaseShape(className: string) {
  return {
    name: z
      .unknown()
      .optional()
      .transform((): string => className),
    timeout: laxFloat.nullable().default(DEFAULT_SYNAPSE_TIMEOUT_SECONDS),
    total_size: laxInt.nullable().default(0),
    header_size: laxInt.nullable().default(0),
    dendrite: TerminalInfoFieldSchema,
    axon: TerminalInfoFieldSchema,
    computed_body_hash: z.string().nullable().default(''),
  };
}

/** The Python type of a value, as far as `str()` of it depends on it (wire-protocol §3.6.2). */
export type PyType = 'str' | 'int' | 'float' | 'bool' | 'any' | { list: PyType } | { dict: PyType };

/** A field the dendrite must announce with a `bt_header_input_obj_*` placeholder (wire-protocol §3.4). */
export interface RequiredField {
  name: string;
  /** JSON text of an empty value of the field's type: `""`, `0`, `[]` or `{}`. */
  placeholderJson: string;
}

/** A field of `required_hash_fields`, in declaration order, with its Python type. */
export interface HashField {
  name: string;
  type: PyType;
}

/** Everything the wire needs to know about one synapse class. */
export interface SynapseDefinition<T extends SynapseBase = SynapseBase> {
  /** The Python class name: the route (`/MusicGeneration`) and the `name` field. */
  readonly name: string;
  /** Parses a JSON body (or a header-built object) into the synapse, with Python's defaults. */
  readonly schema: z.ZodType<T, unknown>;
  /** Every field, in `model_dump` order. */
  readonly fields: readonly string[];
  readonly requiredFields: readonly RequiredField[];
  /** `required_hash_fields`; empty means the body hash is the hash of the empty string. */
  readonly hashFields: readonly HashField[];
}

/** A synapse of any class, as the transport handles it: the base fields plus the class's own. */
export type AnySynapse = SynapseBase & Record<string, unknown>;

/** The plain `Synapse` class: the axon's built-in ping route `/Synapse` (wire-protocol §1). */
export const SynapseSchema = z.object(synapseBaseShape('Synapse'));
export type Synapse = SynapseBase;

export const PingSynapse: SynapseDefinition<Synapse> = {
  name: 'Synapse',
  schema: SynapseSchema,
  fields: SYNAPSE_BASE_FIELDS,
  requiredFields: [],
  hashFields: [],
};

/** A fresh synapse of the base class with every default (wire-protocol §2.2). */
export function baseSynapseDefaults(className: string): SynapseBase {
  return {
    name: className,
    timeout: DEFAULT_SYNAPSE_TIMEOUT_SECONDS,
    total_size: 0,
    header_size: 0,
    dendrite: emptyTerminalInfo(),
    axon: emptyTerminalInfo(),
    computed_body_hash: '',
  };
}

/**
 * The synapse as a plain object whose keys follow the class's field order, ready for the body
 * codec. Fields the object lacks are written as null, as `model_dump` does for unset optionals.
 */
export function orderedSynapseFields(definition: SynapseDefinition, synapse: object): Record<string, unknown> {
  const source = synapse as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of definition.fields) out[field] = source[field] ?? null;
  return out;
}
