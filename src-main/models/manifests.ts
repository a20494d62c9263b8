/**
 * The manifests the app ships (models/manifests/*.json), parsed once at start-up. A manifest that
 * fails its schema is a build error, not something to run with, so parsing throws.
 */
import large from '../../models/manifests/facebook-musicgen-large.json' with { type: 'json' };
import medium from '../../models/manifests/facebook-musicgen-medium.json' with { type: 'json' };
import small from '../../models/manifests/xenova-musicgen-small.json' with { type: 'json' };
import ast from '../../models/manifests/xenova-ast-finetuned-audioset.json' with { type: 'json' };
import clap from '../../models/manifests/xenova-larger-clap-music-and-speech.json' with { type: 'json' };
import vggish from '../../models/manifests/vggish-pre-relu.json' with { type: 'json' };
import { ModelManifestSchema, type ModelManifest } from '../../src-shared/schemas/model-manifest.js';

/** Parses one manifest; the error lists every problem with its JSON path. */
export function parseManifest(json: unknown, name: string): ModelManifest {
  const parsed = ModelManifestSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `- ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new Error(`The model manifest ${name} is invalid:\n${lines.join('\n')}`);
}

/** The generation (MusicGen) manifests; musicgen-small first: it is the one that can be downloaded. */
export const BUNDLED_MANIFESTS: readonly ModelManifest[] = Object.freeze([
  parseManifest(small, 'xenova-musicgen-small.json'),
  parseManifest(medium, 'facebook-musicgen-medium.json'),
  parseManifest(large, 'facebook-musicgen-large.json'),
]);

/**
 * The scoring models (scoring spec §2): CLAP for prompt adherence, an AudioSet classifier for the
 * KL term, and VGGish for FAD (import only: no public pre-ReLU export exists, spec §2.3).
 */
export const SCORING_MANIFESTS: readonly ModelManifest[] = Object.freeze([
  parseManifest(clap, 'xenova-larger-clap-music-and-speech.json'),
  parseManifest(ast, 'xenova-ast-finetuned-audioset.json'),
  parseManifest(vggish, 'vggish-pre-relu.json'),
]);

/**
 * Everything the store offers by default: generation models, then scoring models. Each entry
 * carries its `kind`, so the Models page groups them and the miner refuses a scoring model.
 */
export const OFFERED_MANIFESTS: readonly ModelManifest[] = Object.freeze([...BUNDLED_MANIFESTS, ...SCORING_MANIFESTS]);
