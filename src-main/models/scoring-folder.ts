/**
 * Folder checks for the scoring models (scoring spec §2): the config fields the JS feature
 * extractors and the scoring code read, matched against the manifest's architecture, and the
 * graph input/output names transformers.js feeds (CLAP towers, AST) or our VGGish front end feeds.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { sessionFileName, type ModelDtype, type ModelManifest } from '../../src-shared/schemas/model-manifest.js';
import type { OnnxGraphSummary } from './onnx-graph.js';

type ScoringManifest = Exclude<ModelManifest, { kind: 'musicgen' }>;
type ReadJson = (path: string) => Promise<{ ok: true; value: unknown } | { ok: false; error: string }>;

const positiveInt = z.number().int().positive();

/** The I/O names each session needs, per kind. */
const GRAPH_NAMES: Record<ScoringManifest['kind'], Record<string, { inputs: string[]; outputs: string[] }>> = {
  clap: {
    audio_model: { inputs: ['input_features'], outputs: ['audio_embeds'] },
    text_model: { inputs: ['input_ids', 'attention_mask'], outputs: ['text_embeds'] },
  },
  'audio-classifier': { model: { inputs: ['input_values'], outputs: ['logits'] } },
  vggish: { model: { inputs: ['input_features'], outputs: ['embeddings'] } },
};

export async function scoringModelProblems(
  dir: string,
  manifest: ScoringManifest,
  graphs: Map<string, OnnxGraphSummary>,
  sessions: Record<string, ModelDtype>,
  readJson: ReadJson,
): Promise<string[]> {
  const problems: string[] = [];
  const names = GRAPH_NAMES[manifest.kind];
  for (const session of Object.keys(names)) {
    if (!(session in sessions)) problems.push(`a ${manifest.kind} model needs the session ${session}`);
  }
  for (const [session, graph] of graphs) {
    const wanted = names[session];
    if (!wanted) continue;
    const file = sessionFileName(session, sessions[session] ?? 'fp32');
    for (const [kind, list, have] of [
      ['input', wanted.inputs, graph.inputs],
      ['output', wanted.outputs, graph.outputs],
    ] as const) {
      const present = new Set(have.map((v) => v.name));
      const missing = list.filter((n) => !present.has(n));
      if (missing.length > 0) problems.push(`${file}: no ${kind} ${missing.join(', ')}`);
    }
  }

  const read = async <T extends z.ZodType>(name: string, schema: T): Promise<z.infer<T> | null> => {
    const json = await readJson(join(dir, name));
    if (!json.ok) {
      if (json.error !== 'missing') problems.push(`${name}: ${json.error}`);
      return null;
    }
    const parsed = schema.safeParse(json.value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues)
      problems.push(`${name}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    return null;
  };
  const compare = (pairs: [string, number, number][]): void => {
    for (const [field, actual, wanted] of pairs) {
      if (actual !== wanted) {
        problems.push(`${field} is ${actual}, but ${manifest.displayName} has ${wanted} (is this the right model?)`);
      }
    }
  };

  switch (manifest.kind) {
    case 'clap': {
      const config = await read(
        'config.json',
        z.object({ model_type: z.literal('clap'), projection_dim: positiveInt }),
      );
      const pre = await read(
        'preprocessor_config.json',
        z.object({ sampling_rate: positiveInt, feature_size: positiveInt, nb_max_samples: positiveInt }),
      );
      if (config)
        compare([['config.json: projection_dim', config.projection_dim, manifest.architecture.projectionDim]]);
      if (pre) {
        compare([
          ['preprocessor_config.json: sampling_rate', pre.sampling_rate, manifest.architecture.samplingRate],
          ['preprocessor_config.json: feature_size', pre.feature_size, manifest.architecture.melBins],
        ]);
      }
      break;
    }
    case 'audio-classifier': {
      const config = await read('config.json', z.object({ id2label: z.record(z.string(), z.string()) }));
      const pre = await read(
        'preprocessor_config.json',
        z.object({ sampling_rate: positiveInt, num_mel_bins: positiveInt, max_length: positiveInt }),
      );
      if (config) {
        compare([
          ['config.json: the id2label count', Object.keys(config.id2label).length, manifest.architecture.numLabels],
        ]);
      }
      if (pre) {
        compare([
          ['preprocessor_config.json: sampling_rate', pre.sampling_rate, manifest.architecture.samplingRate],
          ['preprocessor_config.json: num_mel_bins', pre.num_mel_bins, manifest.architecture.melBins],
          ['preprocessor_config.json: max_length', pre.max_length, manifest.architecture.maxFrames],
        ]);
      }
      break;
    }
    case 'vggish': {
      const config = await read('config.json', z.object({ sampling_rate: positiveInt, embedding_size: positiveInt }));
      if (config) {
        compare([
          ['config.json: sampling_rate', config.sampling_rate, manifest.architecture.samplingRate],
          ['config.json: embedding_size', config.embedding_size, manifest.architecture.embeddingSize],
        ]);
      }
      break;
    }
  }
  return problems;
}
