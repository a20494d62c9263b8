import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../src-shared/schemas/model-manifest.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { BUNDLED_MANIFESTS } from './manifests.js';
import { detectDtypes, inspectModelFolder } from './model-folder.js';
import { ONNX_ELEM_TYPE } from './onnx-graph.js';
import { MEDIUM, musicgenConfig, musicgenFiles, writeFolder, type MusicgenFixture } from './testing/model-fixtures.js';

const tempDir = useTempDirs();
const medium = BUNDLED_MANIFESTS.find((m) => m.id === 'musicgen-medium') as ModelManifest;
const FP32 = { text_encoder: 'fp32', decoder_model_merged: 'fp32', encodec_decode: 'fp32' } as const;
const FP16 = { text_encoder: 'fp16', decoder_model_merged: 'fp16', encodec_decode: 'fp16' } as const;

function folder(fixture: Partial<MusicgenFixture> = {}): string {
  const dir = tempDir();
  writeFolder(dir, musicgenFiles({ ...MEDIUM, sessions: FP32, ...fixture }));
  return dir;
}

describe('inspectModelFolder (importing musicgen-medium)', () => {
  it('accepts a folder in the optimum/transformers.js layout with the medium architecture', async () => {
    const dir = folder();
    expect(await inspectModelFolder(dir, medium, 'fp32')).toEqual({
      problems: [],
      optionalPresent: ['generation_config.json'],
    });
    expect(await detectDtypes(dir, medium)).toEqual(['fp32']);
  });

  it('accepts weights in <file>.onnx_data and lists the file to copy', async () => {
    const dir = folder({ externalDecoderData: true });
    const inspection = await inspectModelFolder(dir, medium, 'fp32');
    expect(inspection.problems).toEqual([]);
    expect(inspection.optionalPresent).toContain('onnx/decoder_model_merged.onnx_data');
  });

  it('reports a missing external weights file', async () => {
    const dir = folder({ externalDecoderData: true });
    rmSync(join(dir, 'onnx', 'decoder_model_merged.onnx_data'));
    expect((await inspectModelFolder(dir, medium, 'fp32')).problems).toEqual([
      'onnx/decoder_model_merged.onnx: its weights file onnx/decoder_model_merged.onnx_data is missing',
    ]);
  });

  it('names every missing required file', async () => {
    const dir = folder();
    rmSync(join(dir, 'onnx', 'encodec_decode.onnx'));
    rmSync(join(dir, 'tokenizer.json'));
    const { problems } = await inspectModelFolder(dir, medium, 'fp32');
    expect(problems).toEqual(['tokenizer.json is missing', 'onnx/encodec_decode.onnx is missing']);
    expect(await detectDtypes(dir, medium)).toEqual([]);
  });

  it('refuses a small model offered as medium, by its config', async () => {
    const dir = folder({ layers: 24, heads: 16, hidden: 1024 });
    const { problems } = await inspectModelFolder(dir, medium, 'fp32');
    expect(problems).toContain(
      'config.json: decoder.num_hidden_layers is 24, but MusicGen medium (1.5B) has 48 (is this the right model?)',
    );
    expect(problems).toContain(
      'config.json: decoder.hidden_size is 1024, but MusicGen medium (1.5B) has 1536 (is this the right model?)',
    );
  });

  it('refuses a decoder graph whose layer count differs from config.json', async () => {
    const dir = folder({ graphLayers: 47 });
    expect((await inspectModelFolder(dir, medium, 'fp32')).problems).toEqual([
      'onnx/decoder_model_merged.onnx: the graph has past_key_values for 47 layers, but config.json says 48; ' +
        'transformers.js would feed inputs the graph does not have',
    ]);
  });

  it('refuses a config that transformers.js would not read as MusicGen', async () => {
    const dir = folder();
    const config = musicgenConfig({ ...MEDIUM, sessions: FP32 }) as { decoder: Record<string, unknown> };
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        ...config,
        model_type: 'musicgen_melody',
        decoder: { ...config.decoder, num_codebooks: 'four' },
      }),
    );
    const { problems } = await inspectModelFolder(dir, medium, 'fp32');
    expect(problems.some((p) => p.startsWith('config.json: model_type:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('config.json: decoder.num_codebooks:'))).toBe(true);

    writeFileSync(join(dir, 'config.json'), '{ not json');
    expect((await inspectModelFolder(dir, medium, 'fp32')).problems[0]).toMatch(/^config\.json: not valid JSON/);
  });

  it('refuses a text encoder whose output type differs from the decoder’s input (no cast in transformers.js)', async () => {
    const dir = tempDir();
    writeFolder(dir, musicgenFiles({ ...MEDIUM, sessions: FP16, encoderOutputType: ONNX_ELEM_TYPE.FLOAT }));
    expect((await inspectModelFolder(dir, medium, 'fp16')).problems).toEqual([
      'the text encoder returns float32 but the decoder takes float16 encoder_hidden_states; export both at the same precision',
    ]);
  });

  it('reports a file that is not ONNX at all', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'onnx', 'text_encoder.onnx'), '<html>Not Found</html>');
    expect((await inspectModelFolder(dir, medium, 'fp32')).problems).toEqual([
      expect.stringMatching(/^onnx\/text_encoder\.onnx: not a readable ONNX model/),
    ]);
  });
});
