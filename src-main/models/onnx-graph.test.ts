import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../testing/temp-dir.js';
import { ONNX_ELEM_TYPE, OnnxFormatError, parseOnnxGraphSummary, readOnnxGraphSummary } from './onnx-graph.js';
import { testBytes } from './testing/fake-hub.js';
import { must } from './testing/helpers.js';
import { musicgenGraphs, onnxModel, SMALL } from './testing/model-fixtures.js';

const tempDir = useTempDirs();

const SIMPLE = onnxModel({
  inputs: [
    { name: 'input_ids', elemType: ONNX_ELEM_TYPE.INT64 },
    { name: 'attention_mask', elemType: ONNX_ELEM_TYPE.INT64 },
  ],
  outputs: [{ name: 'last_hidden_state', elemType: ONNX_ELEM_TYPE.FLOAT16 }],
  initializers: [{ name: 'w', raw: testBytes(1000, 3) }],
});

async function outcome(bytes: Uint8Array): Promise<'ok' | 'format-error'> {
  try {
    await parseOnnxGraphSummary(bytes);
    return 'ok';
  } catch (error) {
    if (error instanceof OnnxFormatError) return 'format-error';
    throw error;
  }
}

describe('readOnnxGraphSummary', () => {
  it('reads the graph inputs and outputs with their element types', async () => {
    const path = join(tempDir(), 'text_encoder.onnx');
    writeFileSync(path, SIMPLE);
    expect(await readOnnxGraphSummary(path)).toEqual({
      inputs: [
        { name: 'input_ids', elemType: ONNX_ELEM_TYPE.INT64 },
        { name: 'attention_mask', elemType: ONNX_ELEM_TYPE.INT64 },
      ],
      outputs: [{ name: 'last_hidden_state', elemType: ONNX_ELEM_TYPE.FLOAT16 }],
      externalData: [],
    });
  });

  it('skips multi-megabyte inline weights without reading them and still finds the inputs after them', async () => {
    const path = join(tempDir(), 'big.onnx');
    writeFileSync(
      path,
      onnxModel({
        inputs: [{ name: 'audio_codes', elemType: ONNX_ELEM_TYPE.INT64 }],
        outputs: [{ name: 'audio_values', elemType: ONNX_ELEM_TYPE.FLOAT }],
        initializers: [
          { name: 'a', raw: testBytes(3_000_000, 1) },
          { name: 'b', raw: testBytes(200_000, 2) },
        ],
      }),
    );
    const summary = await readOnnxGraphSummary(path);
    expect(summary.inputs.map((v) => v.name)).toEqual(['audio_codes']);
    expect(summary.outputs.map((v) => v.name)).toEqual(['audio_values']);
  });

  it('lists the external data files the weights live in', async () => {
    const bytes = onnxModel({
      inputs: [],
      outputs: [],
      initializers: [
        { name: 'a', externalLocation: 'decoder_model_merged.onnx_data' },
        { name: 'b', externalLocation: 'decoder_model_merged.onnx_data' },
        { name: 'c', raw: new Uint8Array(8) },
      ],
    });
    expect((await parseOnnxGraphSummary(bytes)).externalData).toEqual(['decoder_model_merged.onnx_data']);
  });

  it('counts the decoder’s past_key_values of a MusicGen-shaped graph', async () => {
    const graph = must(
      musicgenGraphs({ ...SMALL, sessions: { decoder_model_merged: 'fp32' } }).get('onnx/decoder_model_merged.onnx'),
    );
    const summary = await parseOnnxGraphSummary(graph);
    expect(summary.inputs.filter((v) => v.name.startsWith('past_key_values.'))).toHaveLength(SMALL.layers * 4);
    expect(summary.outputs.filter((v) => v.name.startsWith('present.'))).toHaveLength(SMALL.layers * 4);
  });

  it('rejects a truncated file, a JSON file and an empty file with a format error', async () => {
    expect(await outcome(SIMPLE.subarray(0, SIMPLE.byteLength - 7))).toBe('format-error');
    expect(await outcome(Buffer.from('{"model_type":"musicgen"}'))).toBe('format-error');
    expect(await outcome(new Uint8Array(0))).toBe('format-error');
  });

  it('never fails other than with a format error on random or mutated bytes (fuzz)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
        expect(['ok', 'format-error']).toContain(await outcome(bytes));
      }),
      { numRuns: 400 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: SIMPLE.byteLength - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        async (edits) => {
          const mutated = Buffer.from(SIMPLE);
          for (const [at, value] of edits) mutated[at] = value;
          expect(['ok', 'format-error']).toContain(await outcome(mutated));
        },
      ),
      { numRuns: 400 },
    );
  });
});
