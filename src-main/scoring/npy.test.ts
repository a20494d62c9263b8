import { describe, expect, it } from 'vitest';
import { encodeNpy, encodeNpyMatrix } from './npy.js';

/** A reader written from the format description (numpy's NEP 1), independent of the writer. */
function parseNpy(bytes: Uint8Array): { version: string; header: string; shape: number[]; values: number[] } {
  const magic = Array.from(bytes.subarray(0, 6));
  if (magic.join() !== [0x93, ...'NUMPY'].map((c) => (typeof c === 'number' ? c : c.charCodeAt(0))).join()) {
    throw new Error('no .npy magic');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint16(8, true);
  const header = new TextDecoder('latin1').decode(bytes.subarray(10, 10 + headerLength));
  const descr = /'descr': '([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order': (True|False)/.exec(header)?.[1];
  const shapeText = /'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '';
  if (descr !== '<f4' || fortran !== 'False') throw new Error(`unexpected header ${header}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const count = shape.reduce((p, n) => p * n, 1);
  const values = Array.from({ length: count }, (_, i) => view.getFloat32(10 + headerLength + 4 * i, true));
  return { version: `${bytes[6]}.${bytes[7]}`, header, shape, values };
}

describe('.npy writing', () => {
  it('writes a v1.0 header with <f4, C order and the shape, then the float32 values in row order', () => {
    const bytes = encodeNpyMatrix([Float32Array.of(1, -2.5, 3), [0.1, 1e-8, -0]]);
    const parsed = parseNpy(bytes);
    expect(parsed.version).toBe('1.0');
    expect(parsed.header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")).toBe(true);
    expect(parsed.header.endsWith('\n')).toBe(true);
    // The data starts on a 64-byte boundary, as numpy writes it.
    expect((10 + parsed.header.length) % 64).toBe(0);
    expect(parsed.shape).toEqual([2, 3]);
    expect(parsed.values).toEqual([1, -2.5, 3, Math.fround(0.1), Math.fround(1e-8), -0]);
    expect(bytes.length).toBe(10 + parsed.header.length + 6 * 4);
  });

  it("writes a vector's shape as Python's one-element tuple and an empty matrix as (0, 0)", () => {
    expect(parseNpy(encodeNpy(Float32Array.of(7, 8), [2])).header).toContain("'shape': (2,), }");
    expect(parseNpy(encodeNpyMatrix([])).shape).toEqual([0, 0]);
  });

  it('refuses ragged rows and a shape that does not fit the data', () => {
    expect(() => encodeNpyMatrix([[1, 2], [3]])).toThrow(/row 1 has 1 values, not 2/);
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(/holds 6 values, not 5/);
    expect(() => encodeNpy(new Float32Array(0), [-1])).toThrow(/bad shape/);
  });
});
