/**
 * The one place that knows the `bt_header_*` headers (wire-protocol §3.3, §3.4, §4.2, §5.1):
 * writing them from a synapse, in the Python generator's order, and reading a synapse back from
 * them. Names are lowercase; values are `str(value)` in Python's text forms.
 */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import type { AnySynapse, SynapseDefinition } from '../../src-shared/synapse/synapse.js';
import { TERMINAL_INFO_FIELDS, TerminalInfoSchema, type TerminalInfo } from '../../src-shared/synapse/terminal-info.js';
import { HEADER } from './constants.js';
import { pythonFloatRepr } from './python-text.js';

/** Ordered (name, value) pairs; order matters only for people reading a capture. */
export type HeaderList = [name: string, value: string][];

/** A header block that does not make a valid synapse (a Python axon answers 500, §4.9). */
export class HeaderParseError extends Error {
  override readonly name = 'HeaderParseError';
}

/** Python `str()` of one TerminalInfo field value. */
function terminalValueText(field: keyof TerminalInfo, value: TerminalInfo[keyof TerminalInfo]): string {
  if (field === 'process_time' && typeof value === 'number') return pythonFloatRepr(value);
  return String(value);
}

export interface SynapseHeaderOptions {
  /** `computed_body_hash` header: the §3.6 hash, lowercase hex without `0x`. */
  bodyHash: string;
  /** Informational byte counts (§3.3: MUST be integer strings, carry no meaning). */
  totalSize?: number;
}

/**
 * `Synapse.to_headers()` (wire-protocol §3.3): `name`, `timeout`, the axon's then the dendrite's
 * non-null fields in field order, one placeholder per required non-null field, then `header_size`,
 * `total_size`, `computed_body_hash`.
 */
export function synapseHeaders(
  definition: SynapseDefinition,
  synapse: AnySynapse,
  options: SynapseHeaderOptions,
): HeaderList {
  const headers: HeaderList = [
    [HEADER.name, definition.name],
    [HEADER.timeout, synapse.timeout === null ? 'None' : pythonFloatRepr(synapse.timeout)],
  ];
  for (const [prefix, info] of [
    [HEADER.axonPrefix, synapse.axon],
    [HEADER.dendritePrefix, synapse.dendrite],
  ] as const) {
    for (const field of TERMINAL_INFO_FIELDS) {
      const value = info[field];
      if (value !== null && value !== undefined) headers.push([`${prefix}${field}`, terminalValueText(field, value)]);
    }
  }
  for (const field of definition.requiredFields) {
    const value = synapse[field.name];
    if (value === null || value === undefined) continue;
    headers.push([
      `${HEADER.inputObjPrefix}${field.name}`,
      Buffer.from(field.placeholderJson, 'utf8').toString('base64'),
    ]);
  }
  const headerSize = headers.reduce((sum, [name, value]) => sum + name.length + value.length + 4, 0);
  headers.push([HEADER.headerSize, String(headerSize)]);
  headers.push([HEADER.totalSize, String(options.totalSize ?? synapse.total_size ?? 0)]);
  headers.push([HEADER.computedBodyHash, options.bodyHash]);
  return headers;
}

/**
 * Lowercased header names to values, the last occurrence winning (as Python's `dict(headers)`),
 * from Node's raw header list so that duplicates are not merged with commas.
 */
export function headerMap(rawHeaders: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    map.set((rawHeaders[i] as string).toLowerCase(), rawHeaders[i + 1] as string);
  }
  return map;
}

export function requestHeaderMap(req: IncomingMessage): Map<string, string> {
  return headerMap(req.rawHeaders);
}

interface CollectedHeaders {
  axon: Record<string, string>;
  dendrite: Record<string, string>;
  inputs: Record<string, unknown>;
}

const BASE_FIELD_NAMES = new Set([
  'name',
  'timeout',
  'total_size',
  'header_size',
  'dendrite',
  'axon',
  'computed_body_hash',
]);

function collect(headers: ReadonlyMap<string, string>): CollectedHeaders {
  const out: CollectedHeaders = { axon: {}, dendrite: {}, inputs: {} };
  for (const [key, value] of headers) {
    // Substring matches, as Python's from_headers does (§4.2).
    if (key.includes(HEADER.axonPrefix)) out.axon[key.split(HEADER.axonPrefix)[1] ?? ''] = value;
    else if (key.includes(HEADER.dendritePrefix)) out.dendrite[key.split(HEADER.dendritePrefix)[1] ?? ''] = value;
    else if (key.includes(HEADER.inputObjPrefix)) {
      const field = key.split(HEADER.inputObjPrefix)[1] ?? '';
      if (BASE_FIELD_NAMES.has(field) || field === '') continue;
      try {
        out.inputs[field] = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as unknown;
      } catch {
        // Python logs and skips an undecodable placeholder; the field then counts as missing.
      }
    }
  }
  return out;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(synapse)'}: ${issue.message}`).join('; ');
}

/**
 * The header-only synapse an axon builds before reading the body (`Synapse.from_headers`, §4.2).
 * Throws HeaderParseError when a value does not parse or a required field has no placeholder.
 */
export function parseSynapseHeaders<T extends AnySynapse>(
  definition: SynapseDefinition<T>,
  headers: ReadonlyMap<string, string>,
): T {
  const collected = collect(headers);
  const candidate: Record<string, unknown> = {
    ...collected.inputs,
    name: definition.name,
    timeout: headers.get(HEADER.timeout) ?? null,
    total_size: headers.get(HEADER.totalSize),
    header_size: headers.get(HEADER.headerSize),
    computed_body_hash: headers.get(HEADER.computedBodyHash),
    axon: collected.axon,
    dendrite: collected.dendrite,
  };
  const parsed = definition.schema.safeParse(candidate);
  if (!parsed.success)
    throw new HeaderParseError(`headers do not make a ${definition.name}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** The `axon` and `dendrite` TerminalInfos of a response's headers (base `Synapse.from_headers`, §5.1 step 4). */
export function parseTerminalHeaders(headers: ReadonlyMap<string, string>): {
  axon: TerminalInfo;
  dendrite: TerminalInfo;
} {
  const collected = collect(headers);
  const axon = TerminalInfoSchema.safeParse(collected.axon);
  if (!axon.success) throw new HeaderParseError(`bt_header_axon_*: ${describeIssues(axon.error)}`);
  const dendrite = TerminalInfoSchema.safeParse(collected.dendrite);
  if (!dendrite.success) throw new HeaderParseError(`bt_header_dendrite_*: ${describeIssues(dendrite.error)}`);
  return { axon: axon.data, dendrite: dendrite.data };
}

/** Only printable ASCII may go into a header value; anything else becomes `?`. */
export function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
