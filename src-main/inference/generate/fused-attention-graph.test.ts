import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { decoderForLoop, FUSED_ATTENTION_FILE_SUFFIX, toFusedAttention } from './fused-attention-graph.js';
import { toTimeMajorCache } from './kv-graph.js';
import { writeMusicgenModel } from '../../../scripts/tiny-musicgen/generate.mjs';
import { useTempDirs } from '../../testing/temp-dir.js';

const tempDir = useTempDirs();

const ONNX = join(import.meta.dirname, '../../../models/tiny/musicgen/onnx');
const DECODER = join(ONNX, 'decoder_model_merged.onnx');
const [B, H, Dh, S, E] = [2, 2, 16, 5, 24];

/** The feeds of one step of the time-major decoder with `frames` past frames per layer and part. */
function feeds(frames: { key: number; value: number }, useCache: boolean): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {
    encoder_attention_mask: new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: B * S }, (_, i) => (i % S < 4 ? 1n : 0n)),
      [B, S],
    ),
    input_ids: new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: B * 4 }, (_, i) => BigInt((i * 7) % 65)),
      [B * 4, 1],
    ),
    encoder_hidden_states: new ort.Tensor(
      'float32',
      Float32Array.from({ length: B * S * E }, (_, i) => Math.sin(i)),
      [B, S, E],
    ),
    use_cache_branch: new ort.Tensor('bool', Uint8Array.of(useCache ? 1 : 0), [1]),
  };
  for (let l = 0; l < 2; l++) {
    for (const part of ['key', 'value'] as const) {
      const t = frames[part];
      out[`past_key_values.${l}.decoder.${part}.time_major`] = new ort.Tensor(
        'float32',
        Float32Array.from({ length: t * B * H * Dh }, (_, i) => Math.cos(i * 0.37 + l + (part === 'key' ? 0 : 1))),
        [t, B, H, Dh],
      );
      out[`past_key_values.${l}.encoder.${part}`] = useCache
        ? new ort.Tensor(
            'float32',
            Float32Array.from({ length: B * H * S * Dh }, (_, i) => Math.sin(i * 0.11 + l)),
            [B, H, S, Dh],
          )
        : new ort.Tensor('float32', new Float32Array(0), [B, H, 0, Dh]);
    }
  }
  return out;
}

const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  return d;
};

describe('toFusedAttention', () => {
  let timeMajor: ort.InferenceSession;
  let fused: ort.InferenceSession;
  beforeAll(async () => {
    const level1 = toTimeMajorCache(readFileSync(DECODER), 2);
    timeMajor = await ort.InferenceSession.create(level1);
    fused = await ort.InferenceSession.create(toFusedAttention(level1, 2));
  });
  afterAll(async () => {
    await timeMajor.release();
    await fused.release();
  });

  it('keeps the time-major inputs and outputs of level 1', () => {
    expect(fused.inputNames).toEqual(timeMajor.inputNames);
    expect(fused.outputNames).toEqual(timeMajor.outputNames);
  });

  for (const [what, frames, useCache] of [
    ['with a past of 7 frames', 7, true],
    ['with a past of 1 frame', 1, true],
    ['on the first step (no past, the no-cache branch)', 0, false],
  ] as const) {
    it(`computes what level 1 computes ${what}: the same outputs within float rounding`, async () => {
      const f = feeds({ key: frames, value: frames }, useCache);
      const a = await timeMajor.run(f);
      const b = await fused.run(f);
      // Layer 0's new frames come before any attention: exact. The past's share of an attention
      // output is summed apart from the new frame's, so what follows may differ in the last bits.
      for (const name of timeMajor.outputNames) {
        expect(b[name]?.dims, name).toEqual(a[name]?.dims);
        if (name.startsWith('present.0.decoder.')) expect(b[name]?.data, name).toEqual(a[name]?.data);
        else
          expect(maxDifference(b[name]?.data as Float32Array, a[name]?.data as Float32Array), name).toBeLessThan(1e-5);
      }
    });
  }

  it('leaves no copy of the past: the time-major inputs reach only FusedMatMul, their frame count and a zero-width slice', () => {
    const model = onnxProto.onnx.ModelProto.decode(toFusedAttention(toTimeMajorCache(readFileSync(DECODER), 2), 2));
    type Node = onnxProto.onnx.INodeProto;
    const all: Node[] = [];
    const walk = (nodes: Node[] | null | undefined): void => {
      for (const n of nodes ?? []) {
        all.push(n);
        for (const a of n.attribute ?? []) walk(a.g?.node);
      }
    };
    walk(model.graph?.node);
    const readers = all.filter((n) =>
      (n.input ?? []).some((i) => i.endsWith('.decoder.key.time_major') || i.endsWith('.decoder.value.time_major')),
    );
    expect(new Set(readers.map((n) => n.opType))).toEqual(new Set(['FusedMatMul', 'Shape', 'Slice']));
    expect(readers.filter((n) => n.opType === 'FusedMatMul')).toHaveLength(4);
    for (const slice of readers.filter((n) => n.opType === 'Slice')) {
      // Slice(past, starts = 0, ends = 0, axes = 3): [t, B, H, 0].
      const [, starts, ends, axes] = slice.input ?? [];
      const value = (name: string | undefined) => {
        const t = model.graph?.initializer?.find((i) => i.name === name);
        return t?.rawData ? Buffer.from(t.rawData).readBigInt64LE(0) : undefined;
      };
      expect([value(starts), value(ends), value(axes)]).toEqual([0n, 0n, 3n]);
    }
    // The with-past branch's presents are the new frames (level 1 concatenates the whole past into them).
    const presentSources = (graph: onnxProto.onnx.IGraphProto | null | undefined) => {
      const merged = (graph?.node ?? []).find((n) => n.opType === 'If');
      const branch = merged?.attribute?.find((a) => a.name === 'then_branch')?.g;
      const producer = new Map((branch?.node ?? []).flatMap((n) => (n.output ?? []).map((o) => [o, n] as const)));
      return [0, 1].flatMap((l) =>
        ['key', 'value'].map((p) => {
          const index = (merged?.output ?? []).indexOf(`present.${l}.decoder.${p}`);
          const made = producer.get(branch?.output?.[index]?.name ?? '');
          return made?.opType === 'Identity'
            ? `Identity(${producer.get(made.input?.[0] ?? '')?.opType})`
            : made?.opType;
        }),
      );
    };
    const level1 = onnxProto.onnx.ModelProto.decode(toTimeMajorCache(readFileSync(DECODER), 2));
    expect(presentSources(level1.graph)).toEqual(['Concat', 'Concat', 'Concat', 'Concat']);
    expect(presentSources(model.graph)).toEqual(new Array(4).fill('Identity(Transpose)'));
  });

  for (const attention of ['sdpa', 'sdpa-folded', 'bmm'] as const) {
    it(`leaves no copy of the past in the ${attention} attention pattern either`, () => {
      const { dir } = writeMusicgenModel(tempDir(), { attention, dtypes: ['fp32'] });
      const bytes = readFileSync(join(dir, 'onnx', 'decoder_model_merged.onnx'));
      const model = onnxProto.onnx.ModelProto.decode(toFusedAttention(toTimeMajorCache(bytes, 2), 2));
      const ops: string[] = [];
      const walk = (nodes: onnxProto.onnx.INodeProto[] | null | undefined): void => {
        for (const n of nodes ?? []) {
          if ((n.input ?? []).some((i) => i.endsWith('.time_major'))) ops.push(n.opType ?? '');
          for (const a of n.attribute ?? []) walk(a.g?.node);
        }
      };
      walk(model.graph?.node);
      expect(new Set(ops)).toEqual(new Set(['FusedMatMul', 'Shape', 'Slice']));
      expect(ops.filter((op) => op === 'FusedMatMul')).toHaveLength(4);
    });
  }

  it("follows torch.onnx's `past.shape[2]` (Shape → Gather) and refuses a Gather of the last axis", () => {
    const { dir } = writeMusicgenModel(tempDir(), { attention: 'bmm', dtypes: ['fp32'] });
    const bytes = readFileSync(join(dir, 'onnx', 'decoder_model_merged.onnx'));
    expect(() => toFusedAttention(toTimeMajorCache(bytes, 2), 2)).not.toThrow();
    // Point the with-past branch's Gather at axis 3 (the zero-width one): the rewrite must refuse.
    const model = onnxProto.onnx.ModelProto.decode(bytes);
    const branch = model.graph?.node
      ?.find((n) => n.opType === 'If')
      ?.attribute?.find((a) => a.name === 'then_branch')?.g;
    const shapeOfPast = branch?.node?.find(
      (n) => n.opType === 'Shape' && n.input?.[0] === 'past_key_values.0.decoder.key',
    );
    const gather = branch?.node?.find((n) => n.opType === 'Gather' && n.input?.[0] === shapeOfPast?.output?.[0]);
    const index = [...(branch?.initializer ?? []), ...(model.graph?.initializer ?? [])].find(
      (i) => i.name === gather?.input?.[1],
    );
    expect(index?.rawData).toBeDefined();
    const lastAxis = Buffer.alloc(8);
    lastAxis.writeBigInt64LE(3n);
    (index as onnxProto.onnx.ITensorProto).rawData = lastAxis;
    const edited = onnxProto.onnx.ModelProto.encode(model).finish();
    expect(() => toFusedAttention(toTimeMajorCache(edited, 2), 2)).toThrow(/reads its last axis/);
  });

  it('answers pasts of different lengths with an error, and an empty past with the first-step branch, not a crash', async () => {
    await expect(fused.run(feeds({ key: 3, value: 2 }, true))).rejects.toThrow(/MatMul/);
    // FusedMatMul on an empty past would kill the process (SIGFPE): the no-past branch runs instead.
    const first = await fused.run(feeds({ key: 0, value: 0 }, false));
    for (const frames of [
      { key: 0, value: 3 },
      { key: 2, value: 0 },
      { key: 0, value: 0 },
    ]) {
      const out = await fused.run(feeds(frames, true));
      expect(out.logits?.data, JSON.stringify(frames)).toEqual(first.logits?.data);
    }
  });

  it('refuses graphs it does not know, naming what is missing', async () => {
    // Not rewritten to a time-major boundary first.
    expect(() => toFusedAttention(readFileSync(DECODER), 2)).toThrow(/no past_key_values\.0\.decoder\.key\.time_major/);
    // The fp16 export: its cache is float16, which FusedMatMul on the CPU does not read.
    const fp16 = toTimeMajorCache(readFileSync(join(ONNX, 'decoder_model_merged_fp16.onnx')), 2);
    expect(() => toFusedAttention(fp16, 2)).toThrow(/not float32/);
    expect(() => toFusedAttention(toTimeMajorCache(readFileSync(DECODER), 2), 3)).toThrow(/time_major/);
  });
});

describe('decoderForLoop', () => {
  it('falls back to the time-major level with the reason when the fused level is refused', async () => {
    const fp16 = await decoderForLoop(join(ONNX, 'decoder_model_merged_fp16.onnx'), 2, 'fused-attention');
    expect(fp16.level).toBe('time-major');
    expect(fp16.refused).toMatch(/decoder_model_merged_fp16\.onnx cannot take the fused self-attention: .*not float32/);
    const fp32 = await decoderForLoop(DECODER, 2, 'fused-attention');
    expect(fp32).toMatchObject({ level: 'fused-attention' });
    expect(fp32.refused).toBeUndefined();
    expect((await decoderForLoop(DECODER, 2, 'time-major')).level).toBe('time-major');
  });

  it('writes the fused rewrite of a larger file beside it, replacing a copy an earlier version wrote', async () => {
    const original = join(tempDir(), 'decoder_model_merged.onnx');
    copyFileSync(DECODER, original);
    // Version 1's copy, newer than the original: it must not be reused, and it goes away.
    const stale = original.replace(/\.onnx$/, '.kv-fused-attention.onnx');
    writeFileSync(stale, 'an outdated rewrite');
    const { source, level } = await decoderForLoop(original, 2, 'fused-attention', 0);
    expect(existsSync(stale)).toBe(false);
    expect(level).toBe('fused-attention');
    expect(source).toBe(original.replace(/\.onnx$/, FUSED_ATTENTION_FILE_SUFFIX));
    expect(readFileSync(source as string)).toEqual(
      Buffer.from(toFusedAttention(toTimeMajorCache(readFileSync(DECODER), 2), 2)),
    );
  }, 30_000);
});
