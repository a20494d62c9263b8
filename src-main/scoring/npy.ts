/**
 * NumPy `.npy` files (format 1.0) of float32 matrices, so a third party can load the embeddings
 * and class probabilities `bittaudio score --dump-embeddings` writes with `numpy.load` and
 * recompute FAD and KLD themselves (docs/fad.md). One writer, little-endian float32 (`<f4`),
 * C order: magic `\x93NUMPY`, version 1 0, a uint16 LE header length, then an ASCII dict padded
 * with spaces and ended by `\n` so that the data starts on a 64-byte boundary.
 */

const MAGIC = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59); // \x93NUMPY
const ALIGN = 64;

/** A matrix of `rows` rows of equal length as `.npy` bytes of shape (rows, columns). */
export function encodeNpyMatrix(rows: readonly ArrayLike<number>[]): Uint8Array {
  const columns = rows[0]?.length ?? 0;
  rows.forEach((row, i) => {
    if (row.length !== columns) throw new RangeError(`row ${i} has ${row.length} values, not ${columns}`);
  });
  const data = new Float32Array(rows.length * columns);
  rows.forEach((row, i) => data.set(Array.from(row), i * columns));
  return encodeNpy(data, [rows.length, columns]);
}

/** Float32 values in C order with the given shape as `.npy` bytes. */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) throw new RangeError(`bad shape (${shape.join(', ')})`);
  const size = shape.reduce((p, n) => p * n, 1);
  if (size !== data.length)
    throw new RangeError(`shape (${shape.join(', ')}) holds ${size} values, not ${data.length}`);
  // Python's repr of a tuple: a one-element tuple keeps its comma.
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${tuple}, }`;
  const prefix = MAGIC.length + 2 + 2;
  const headerLength = Math.ceil((prefix + dict.length + 1) / ALIGN) * ALIGN - prefix;
  if (headerLength > 0xffff) throw new RangeError('the .npy header is too long for format 1.0');
  const header = `${dict.padEnd(headerLength - 1, ' ')}\n`;
  const out = new Uint8Array(prefix + headerLength + data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerLength, true);
  out.set(new TextEncoder().encode(header), prefix);
  const view = new DataView(out.buffer, prefix + headerLength);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i] ?? 0, true);
  return out;
}
