/**
 * Canonical JSON, the RFC 8785 (JCS) rules on the subset we need: object keys sorted by UTF-16 code
 * units, no whitespace, strings escaped as ECMAScript's JSON.stringify does (well-formed since
 * ES2019), numbers in ECMAScript's shortest round-trip form, `-0` written `0`. Non-finite numbers
 * have no JSON form and are refused. The result is UTF-8 encoded by the caller.
 */
import { SealedError } from './errors.js';

export type CanonicalJson = null | boolean | number | string | readonly CanonicalJson[] | CanonicalObject;
export interface CanonicalObject {
  readonly [key: string]: CanonicalJson;
}

export function canonicalJson(value: CanonicalJson): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return canonicalNumber(value);
    case 'string':
      return JSON.stringify(value);
    default:
      break;
  }
  if (isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort(compareCodeUnits);
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] ?? null)}`).join(',')}}`;
}

/** ECMAScript Number::toString, which is what RFC 8785 prescribes; `-0` becomes `0`. */
export function canonicalNumber(value: number): string {
  if (!Number.isFinite(value)) throw new SealedError('invalid_input', 'a non-finite number has no JSON form');
  return Object.is(value, -0) ? '0' : String(value);
}

function isArray(value: CanonicalJson): value is readonly CanonicalJson[] {
  return Array.isArray(value);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
