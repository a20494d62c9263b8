import type { JsonValue } from '../../src-shared/schemas/json.js';

/** Field names whose values never reach a log line, whatever their nesting. */
const SECRET_KEY = /pass(word|phrase)?|mnemonic|seed|secret|private|token|authori[sz]ation|cookie|api[-_]?key/i;

export const REDACTED = '[redacted]';

/**
 * Turns arbitrary log fields into JSON with every secret-looking field replaced. Values that JSON
 * cannot hold (bigint, Error, undefined, cycles) are converted to something readable.
 */
export function redactFields(fields: Record<string, unknown>): Record<string, JsonValue> {
  return redactObject(fields, new WeakSet());
}

function redactObject(object: Record<string, unknown>, seen: WeakSet<object>): Record<string, JsonValue> {
  seen.add(object);
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined) continue;
    out[key] = SECRET_KEY.test(key) ? REDACTED : toJson(value, seen);
  }
  return out;
}

function toJson(value: unknown, seen: WeakSet<object>): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (typeof value === 'object') {
    if (seen.has(value)) return '[circular]';
    if (Array.isArray(value)) {
      seen.add(value);
      return value.map((item) => toJson(item, seen));
    }
    return redactObject(value as Record<string, unknown>, seen);
  }
  return String(value);
}
