import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAfterFirstStep, readMainGraphNodes } from './decoder-reads.js';
import { concat, fieldsOf, stringField } from './kv-graph.js';
import { tinyOrtModels, TINY_MUSICGEN } from './testing/tiny-ort-models.js';
import { useTempDirs } from '../../testing/temp-dir.js';

const tempDir = useTempDirs();
const ONNX = join(TINY_MUSICGEN, 'onnx');
const tinyModel = tinyOrtModels();

/** The main graph's node payloads, parsed from the whole file in memory. */
function nodesInMemory(path: string): Uint8Array[] {
  const graph = fieldsOf(readFileSync(path)).find((f) => f.no === 7 && f.wire === 2);
  return fieldsOf(graph?.payload ?? new Uint8Array()).flatMap((f) => (f.no === 1 && f.wire === 2 ? [f.payload] : []));
}

describe('readMainGraphNodes', () => {
  for (const file of ['decoder_model_merged.onnx', 'decoder_model_merged_quantized.onnx', 'text_encoder.onnx']) {
    it(`reads the main graph's nodes of ${file} without its weights, as a whole-file parse finds them`, async () => {
      const nodes = await readMainGraphNodes(join(ONNX, file));
      expect(nodes.length).toBeGreaterThan(0);
      expect(nodes.map((n) => Buffer.from(n))).toEqual(nodesInMemory(join(ONNX, file)).map((n) => Buffer.from(n)));
    });
  }

  it('refuses a cut file with a clear error', async () => {
    const cut = join(tempDir(), 'cut.onnx');
    const bytes = readFileSync(join(ONNX, 'decoder_model_merged.onnx'));
    writeFileSync(cut, bytes.subarray(0, bytes.length - 1000));
    await expect(readMainGraphNodes(cut)).rejects.toThrow(/complete graph|past the end|varint/);
  });
});

describe('readAfterFirstStep', () => {
  it("sees that the merged decoder's with-past branch reads the mask but not encoder_hidden_states", async () => {
    for (const file of [
      'decoder_model_merged.onnx',
      'decoder_model_merged_quantized.onnx',
      'decoder_model_merged_fp16.onnx',
    ]) {
      const nodes = await readMainGraphNodes(join(ONNX, file));
      expect(readAfterFirstStep(nodes, 'encoder_hidden_states'), file).toBe(false);
      expect(readAfterFirstStep(nodes, 'encoder_attention_mask'), file).toBe(true);
      expect(readAfterFirstStep(nodes, 'past_key_values.0.decoder.key'), file).toBe(true);
    }
  });

  it('says "read" when a main-graph node reads the input too, or the graph is not the merged layout', async () => {
    const nodes = await readMainGraphNodes(join(ONNX, 'decoder_model_merged.onnx'));
    const reader = concat([
      stringField(1, 'encoder_hidden_states'),
      stringField(2, 'copy'),
      stringField(4, 'Identity'),
    ]);
    expect(readAfterFirstStep([...nodes, reader], 'encoder_hidden_states')).toBe(true);
    const encoder = await readMainGraphNodes(join(ONNX, 'text_encoder.onnx'));
    expect(readAfterFirstStep(encoder, 'encoder_hidden_states')).toBe(true);
  });

  it('lets our loop feed encoder_hidden_states once on the tiny exports (ort-decoder.test.ts checks its codes against transformers.js)', async () => {
    for (const dtype of ['fp32', 'q8', 'fp16'] as const) {
      const model = await tinyModel(dtype, 'cpu', { cacheRewrite: 'time-major' });
      expect(model.encoderStatesOnce, dtype).toBe(true);
    }
  });
});
