/**
 * Field types as pydantic 2 parses them in "lax" mode (wire-protocol §2.1): the Python SDK runs
 * `int()`/`float()` over values that come from headers or JSON, so `"408"` is a valid status code
 * and `12.0` a valid integer, while `"12.5"` or `"abc"` are not. We accept the same forms, and are
 * stricter in two places: booleans are not numbers, and non-finite floats are refused.
 */
import { z } from 'zod';

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const FLOAT_TEXT = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** An integer that fits a JS number exactly: a safe integer, an integral float, or decimal text. */
export const laxInt = z.union([z.number(), z.bigint(), z.string()]).transform((value, ctx): number => {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint') n = Number(value);
  else if (INTEGER_TEXT.test(value)) n = Number(value.trim());
  else n = Number.NaN;
  if (!Number.isSafeInteger(n)) {
    ctx.addIssue({ code: 'custom', message: `expected an integer, got ${describeValue(value)}` });
    return z.NEVER;
  }
  return n;
});

/** An integer of any size, kept exact (nanosecond nonces, wire-protocol §0.2). */
export const laxBigInt = z.union([z.number(), z.bigint(), z.string()]).transform((value, ctx): bigint => {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && INTEGER_TEXT.test(value)) return BigInt(value.trim());
  ctx.addIssue({ code: 'custom', message: `expected an integer, got ${describeValue(value)}` });
  return z.NEVER;
});

/** A finite float: a number, an integer, or decimal text such as `"200.0"`. */
export const laxFloat = z.union([z.number(), z.bigint(), z.string()]).transform((value, ctx): number => {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint') n = Number(value);
  else if (FLOAT_TEXT.test(value)) n = Number(value.trim());
  else n = Number.NaN;
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `expected a finite number, got ${describeValue(value)}` });
    return z.NEVER;
  }
  return n;
});

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}
