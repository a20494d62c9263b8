import { posix } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DTYPE_FILE_SUFFIX,
  manifestDtypes,
  ModelDtypeSchema,
  ModelFilePathSchema,
  ModelManifestSchema,
  sessionFileName,
  variantFiles,
  type ModelDtype,
} from '../../src-shared/schemas/model-manifest.js';
import { BUNDLED_MANIFESTS, parseManifest } from './manifests.js';
import { must } from './testing/helpers.js';

const byId = (id: string) =>
  must(
    BUNDLED_MANIFESTS.find((m) => m.id === id),
    id,
  );
const SESSIONS = ['text_encoder', 'decoder_model_merged', 'encodec_decode'];

describe('bundled manifests', () => {
  it('offer musicgen-small from Xenova/musicgen-small with the transformers.js file names per dtype (musicgen.md §2)', () => {
    const small = byId('musicgen-small');
    expect(small).toMatchObject({ repo: 'Xenova/musicgen-small', source: { kind: 'hub', revision: 'main' } });
    expect(manifestDtypes(small)).toEqual(['fp32', 'fp16', 'q8']);
    expect(variantFiles(small, 'fp16')?.map((f) => f.path)).toEqual([
      'config.json',
      'generation_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'onnx/text_encoder_fp16.onnx',
      'onnx/decoder_model_merged_fp16.onnx',
      'onnx/encodec_decode_fp16.onnx',
    ]);
    // The model card's q8 recipe keeps EnCodec at full precision.
    expect(small.variants.q8?.sessions).toEqual({
      text_encoder: 'q8',
      decoder_model_merged: 'q8',
      encodec_decode: 'fp32',
    });
    expect(small.variants.q8?.files.map((f) => f.path)).toContain('onnx/encodec_decode.onnx');
    expect(small.architecture).toEqual({
      numHiddenLayers: 24,
      numAttentionHeads: 16,
      hiddenSize: 1024,
      numCodebooks: 4,
      samplingRate: 32000,
    });
  });

  it('leave sizes and hashes unknown where they cannot be known offline, so the hub supplies them', () => {
    for (const file of variantFiles(byId('musicgen-small'), 'fp32') ?? []) {
      expect(file).toMatchObject({ size: null, sha256: null });
    }
  });

  it('name the medium and large slots as SN50’s protocol does, to be imported, with their shapes', () => {
    expect(byId('musicgen-medium')).toMatchObject({
      repo: 'facebook/musicgen-medium',
      protocolModelName: 'facebook/musicgen-medium',
      source: { kind: 'import' },
      architecture: { numHiddenLayers: 48, numAttentionHeads: 24, hiddenSize: 1536 },
    });
    expect(byId('musicgen-large')).toMatchObject({
      repo: 'facebook/musicgen-large',
      protocolModelName: 'facebook/musicgen-large',
      source: { kind: 'import' },
      architecture: { numHiddenLayers: 48, numAttentionHeads: 32, hiddenSize: 2048 },
    });
  });

  it('state the weights licence, CC-BY-NC-4.0, non-commercial', () => {
    for (const manifest of BUNDLED_MANIFESTS) {
      expect(manifest.license).toMatchObject({ spdx: 'CC-BY-NC-4.0', nonCommercial: true });
      expect(manifest.license.url).toBe('https://creativecommons.org/licenses/by-nc/4.0/');
    }
  });

  it('list every session file under the suffix of its dtype', () => {
    for (const manifest of BUNDLED_MANIFESTS) {
      for (const dtype of manifestDtypes(manifest)) {
        const variant = must(manifest.variants[dtype]);
        expect(Object.keys(variant.sessions).sort()).toEqual([...SESSIONS].sort());
        for (const [session, sessionDtype] of Object.entries(variant.sessions)) {
          expect(variant.files.map((f) => f.path)).toContain(`onnx/${session}${DTYPE_FILE_SUFFIX[sessionDtype]}.onnx`);
        }
      }
    }
  });
});

// --- property tests of the schema ---

const segment = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,15}$/).filter((s) => !s.endsWith('.part'));
const safePath = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
const sha = fc.stringMatching(/^[0-9a-f]{64}$/);
const file = fc.record({
  path: safePath,
  size: fc.option(fc.nat({ max: 2 ** 40 }), { nil: null }),
  sha256: fc.option(sha, { nil: null }),
});
const dtype = fc.constantFrom(...ModelDtypeSchema.options);

/** A valid manifest: variants whose session files are listed, no path twice. */
const manifestArb = fc
  .record({
    common: fc.uniqueArray(file, { selector: (f) => f.path, maxLength: 4 }),
    variants: fc.dictionary(dtype, fc.dictionary(fc.constantFrom(...SESSIONS), dtype, { minKeys: 1 }), { minKeys: 1 }),
    revision: fc.stringMatching(/^[A-Za-z0-9._-]{1,40}$/),
  })
  .map(({ common, variants, revision }) => {
    // Variant files all live in onnx/, so shared files elsewhere never collide with them.
    const files = common.filter((f) => !f.path.startsWith('onnx/'));
    const variantEntries = Object.entries(variants).map(([d, sessions]) => [
      d,
      {
        sessions,
        files: [...new Set(Object.entries(sessions).map(([s, sd]) => sessionFileName(s, sd)))].map((path) => ({
          path,
          size: null,
          sha256: null,
        })),
      },
    ]);
    return {
      format: 1,
      id: 'musicgen-prop',
      displayName: 'Property model',
      repo: 'owner/name',
      baseModel: 'facebook/musicgen-small',
      protocolModelName: null,
      source: { kind: 'hub', revision },
      license: {
        spdx: 'CC-BY-NC-4.0',
        url: 'https://creativecommons.org/licenses/by-nc/4.0/',
        summary: 's',
        nonCommercial: true,
      },
      architecture: { numHiddenLayers: 2, numAttentionHeads: 2, hiddenSize: 8, numCodebooks: 4, samplingRate: 32000 },
      files,
      variants: Object.fromEntries(variantEntries),
      defaultDtype: must(variantEntries[0])[0] as ModelDtype,
    };
  });

describe('ModelManifestSchema (properties)', () => {
  it('accepts every well-formed manifest and survives a JSON round trip unchanged', () => {
    fc.assert(
      fc.property(manifestArb, (json) => {
        const parsed = parseManifest(json, 'generated');
        expect(ModelManifestSchema.parse(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a variant whose session file is not listed, naming the file', () => {
    fc.assert(
      fc.property(manifestArb, (json) => {
        const [d, variant] = must(Object.entries(json.variants)[0]) as [string, { files: unknown[] }];
        const broken = { ...json, variants: { ...json.variants, [d]: { ...variant, files: variant.files.slice(1) } } };
        const result = ModelManifestSchema.safeParse(broken);
        expect(result.success).toBe(false);
        // With files left the refinement names the missing one; with none left the list is too short.
        const issues = result.error?.issues ?? [];
        if (variant.files.length > 1) expect(issues.some((i) => /needs the file onnx\//.test(i.message))).toBe(true);
        else expect(issues.some((i) => i.code === 'too_small')).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('never throws on arbitrary JSON, only reports', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (json) => {
        expect(() => ModelManifestSchema.safeParse(json)).not.toThrow();
        expect(ModelManifestSchema.safeParse(json).success).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts only file paths that stay inside the model folder', () => {
    const tricky = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc
        .array(fc.constantFrom('..', '.', '', 'onnx', 'a.onnx', '/', '\\', 'C:', '.hidden', 'x.part', '%2e%2e'), {
          maxLength: 5,
        })
        .map((parts) => parts.join('/')),
    );
    fc.assert(
      fc.property(tricky, (path) => {
        if (!ModelFilePathSchema.safeParse(path).success) return;
        const normal = posix.normalize(path);
        expect(posix.isAbsolute(path)).toBe(false);
        expect(normal === '..' || normal.startsWith('../')).toBe(false);
        expect(normal).toBe(path);
        expect(path).not.toMatch(/\\|:|(^|\/)\./);
      }),
      { numRuns: 1000 },
    );
    for (const bad of [
      '../config.json',
      '/etc/passwd',
      'onnx/../../x',
      'onnx//a.onnx',
      'a\\b',
      'C:x',
      '.bittaudio-model.json',
      'onnx/x.onnx.part',
      '',
    ]) {
      expect(ModelFilePathSchema.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('accepts only lowercase 64-hex SHA-256 values', () => {
    const base = parseManifest(fc.sample(manifestArb, 1)[0], 'sample');
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }), (value) => {
        const candidate = { ...base, files: [{ path: 'config.json', size: 1, sha256: value }] };
        expect(ModelManifestSchema.safeParse(candidate).success).toBe(/^[0-9a-f]{64}$/.test(value));
      }),
      { numRuns: 300 },
    );
  });
});
