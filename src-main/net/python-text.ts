/**
 * CPython 3's `str()`/`repr()` of the values a synapse holds (wire-protocol §3.6.2). Only needed for
 * the body hash of synapses with `required_hash_fields`; JS cannot tell `1` from `1.0`, so the
 * caller says which Python type a value has.
 */
import type { PyType } from '../../src-shared/synapse/synapse.js';

/** Python `repr(float)`: shortest round-trip digits, exponent below 1e-4 and from 1e16. */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  // toExponential() without digits gives the shortest digits that round-trip, like repr.
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  let text: string;
  if (exponent < 0) text = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  else if (digits.length <= exponent + 1) text = `${digits}${'0'.repeat(exponent + 1 - digits.length)}.0`;
  else text = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  return negative ? `-${text}` : text;
}

/** Python `repr(str)`: single quotes unless the text has `'` and no `"`; escapes as CPython writes them. */
export function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (isPrintable(ch, code)) out += ch;
    else if (code < 0x100) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return out + quote;
}

/** CPython's `str.isprintable()` per character: not Cc, Cf, Cs, Co, Cn, Zl, Zp, or a space other than ' '. */
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
function isPrintable(ch: string, code: number): boolean {
  return code === 0x20 || !NON_PRINTABLE.test(ch);
}

/** Python `str(value)` for a value of the given Python type (strings unquoted at the top level). */
export function pythonStr(value: unknown, type: PyType = 'any'): string {
  if (typeof value === 'string' && (type === 'str' || type === 'any')) return value;
  return pythonRepr(value, type);
}

/** Python `repr(value)`; `type` decides whether a JS number is an int or a float. */
export function pythonRepr(value: unknown, type: PyType = 'any'): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return pythonStringRepr(value);
  if (typeof value === 'bigint') return type === 'float' ? pythonFloatRepr(Number(value)) : value.toString();
  if (typeof value === 'number') {
    if (type === 'float') return pythonFloatRepr(value);
    if (type === 'int' && Number.isInteger(value)) return BigInt(value).toString();
    return Number.isInteger(value) && !Object.is(value, -0) ? String(value) : pythonFloatRepr(value);
  }
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const items = Array.from(value as ArrayLike<unknown>);
    const itemType: PyType =
      typeof type === 'object' && 'list' in type ? type.list : ArrayBuffer.isView(value) ? 'float' : 'any';
    return `[${items.map((item) => pythonRepr(item, itemType)).join(', ')}]`;
  }
  if (typeof value === 'object') {
    const valueType: PyType = typeof type === 'object' && 'dict' in type ? type.dict : 'any';
    const pairs = Object.entries(value as Record<string, unknown>).map(
      ([key, item]) => `${pythonStringRepr(key)}: ${pythonRepr(item, valueType)}`,
    );
    return `{${pairs.join(', ')}}`;
  }
  throw new TypeError(`no Python form for a ${typeof value}`);
}
