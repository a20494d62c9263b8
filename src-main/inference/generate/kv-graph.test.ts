import { copyFileSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { timeMajorDecoder, toTimeMajorCache } from './kv-graph.js';
import { useTempDirs } from '../../testing/temp-dir.js';

const tempDir = useTempDirs();

const DECODER = join(import.meta.dirname, '../../../models/tiny/musicgen/onnx/decoder_model_merged.onnx');

describe('toTimeMajorCache', () => {
  it('swaps the self-attention cache inputs and outputs for time-major ones and keeps the rest', async () => {
    const session = await ort.InferenceSession.create(toTimeMajorCache(readFileSync(DECODER), 2));
    try {
      expect(session.inputNames).toEqual([
        'encoder_attention_mask',
        'input_ids',
        'encoder_hidden_states',
        ...[0, 1].flatMap((l) => [
          `past_key_values.${l}.decoder.key.time_major`,
          `past_key_values.${l}.decoder.value.time_major`,
          `past_key_values.${l}.encoder.key`,
          `past_key_values.${l}.encoder.value`,
        ]),
        'use_cache_branch',
      ]);
      expect(session.outputNames).toEqual([
        'logits',
        ...[0, 1].flatMap((l) => [
          `present.${l}.decoder.key.last_frame`,
          `present.${l}.decoder.value.last_frame`,
          `present.${l}.encoder.key`,
          `present.${l}.encoder.value`,
        ]),
      ]);
      const past = session.inputMetadata.find((m) => m.name === 'past_key_values.1.decoder.value.time_major');
      expect(past?.isTensor && past.shape).toEqual(['past_decoder_sequence_length', 'total_batch_size', 2, 16]);
    } finally {
      await session.release();
    }
  });

  it('feeds a time-major past and returns exactly the last frame of the original present', async () => {
    const original = await ort.InferenceSession.create(DECODER);
    const rewritten = await ort.InferenceSession.create(toTimeMajorCache(readFileSync(DECODER), 2));
    try {
      const [B, H, T, Dh, S] = [2, 2, 3, 16, 5];
      const common: Record<string, ort.Tensor> = {
        encoder_attention_mask: new ort.Tensor('int64', new BigInt64Array(B * S).fill(1n), [B, S]),
        input_ids: new ort.Tensor(
          'int64',
          BigInt64Array.from({ length: B * 4 }, (_, i) => BigInt(i)),
          [B * 4, 1],
        ),
        encoder_hidden_states: new ort.Tensor(
          'float32',
          Float32Array.from({ length: B * S * 24 }, (_, i) => Math.sin(i)),
          [B, S, 24],
        ),
        use_cache_branch: new ort.Tensor('bool', Uint8Array.of(1), [1]),
      };
      const feedsA: Record<string, ort.Tensor> = { ...common };
      const feedsB: Record<string, ort.Tensor> = { ...common };
      for (let l = 0; l < 2; l++) {
        for (const part of ['key', 'value']) {
          // [B, H, T, Dh] with value b·1000 + h·100 + t·10 + d/100, and the same values time-major.
          const bhtd = new Float32Array(B * H * T * Dh);
          const tbhd = new Float32Array(B * H * T * Dh);
          for (let b = 0; b < B; b++)
            for (let h = 0; h < H; h++)
              for (let t = 0; t < T; t++)
                for (let d = 0; d < Dh; d++) {
                  const v = l + b * 1000 + h * 100 + t * 10 + d / 100;
                  bhtd[((b * H + h) * T + t) * Dh + d] = v;
                  tbhd[((t * B + b) * H + h) * Dh + d] = v;
                }
          feedsA[`past_key_values.${l}.decoder.${part}`] = new ort.Tensor('float32', bhtd, [B, H, T, Dh]);
          feedsB[`past_key_values.${l}.decoder.${part}.time_major`] = new ort.Tensor('float32', tbhd, [T, B, H, Dh]);
          const cross = new ort.Tensor(
            'float32',
            Float32Array.from({ length: B * H * S * Dh }, (_, i) => Math.cos(i)),
            [B, H, S, Dh],
          );
          feedsA[`past_key_values.${l}.encoder.${part}`] = cross;
          feedsB[`past_key_values.${l}.encoder.${part}`] = cross;
        }
      }
      const a = await original.run(feedsA);
      const b = await rewritten.run(feedsB);
      expect(b.logits?.data).toEqual(a.logits?.data);
      const full = a['present.1.decoder.value'];
      const last = b['present.1.decoder.value.last_frame'];
      expect(last?.dims).toEqual([B, H, 1, Dh]);
      const expected: number[] = [];
      for (let bh = 0; bh < B * H; bh++)
        expected.push(...(full?.data as Float32Array).slice((bh * (T + 1) + T) * Dh, (bh * (T + 1) + T + 1) * Dh));
      expect([...(last?.data as Float32Array)]).toEqual(expected);
    } finally {
      await original.release();
      await rewritten.release();
    }
  });

  it('refuses a graph without the layers the config declares, and bytes that are not ONNX', () => {
    expect(() => toTimeMajorCache(readFileSync(DECODER), 3)).toThrow(/no past_key_values\.2\.decoder\.key/);
    expect(() => toTimeMajorCache(Uint8Array.of(0x0a, 0x05, 1), 2)).toThrow(/past the end/);
  });

  it('rewrites a small self-contained file in memory, and names the file in its error', async () => {
    expect(await timeMajorDecoder(DECODER, 2)).toBeInstanceOf(Uint8Array);
    await expect(timeMajorDecoder(DECODER, 5)).rejects.toMatchObject({
      code: 'corrupt_file',
      message: expect.stringContaining('decoder_model_merged.onnx cannot take a time-major KV cache'),
    });
  });

  it('writes the rewrite of a larger file once beside it, and again when the original is newer', async () => {
    const original = join(tempDir(), 'decoder_model_merged.onnx');
    copyFileSync(DECODER, original);
    const target = await timeMajorDecoder(original, 2, 0);
    expect(target).toBe(original.replace(/\.onnx$/, '.kv-time-major.onnx'));
    expect(readFileSync(target as string)).toEqual(Buffer.from(toTimeMajorCache(readFileSync(DECODER), 2)));
    const older = new Date(Date.now() - 120_000);
    const old = new Date(Date.now() - 60_000);
    utimesSync(original, older, older);
    utimesSync(target as string, old, old);
    expect(await timeMajorDecoder(original, 2, 0)).toBe(target);
    // Not a time bound: the file's modification stamp is still the one set above, so it was not rewritten.
    expect(Math.abs(statSync(target as string).mtimeMs - old.getTime())).toBeLessThan(1);
    utimesSync(original, new Date(), new Date());
    await timeMajorDecoder(original, 2, 0);
    expect(statSync(target as string).mtimeMs).toBeGreaterThan(old.getTime());
  });
});
