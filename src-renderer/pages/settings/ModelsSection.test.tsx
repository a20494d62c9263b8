/**
 * The Models section's markup for the states a person meets: nothing downloaded, a download
 * running, one that failed, a ready model, and a model that must be imported.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { HostApiError } from '../../../src-shared/api/errors.js';
import type { ModelDownloadEvent, ModelListEntry } from '../../../src-shared/schemas/model-manifest.js';
import { ModelListEntrySchema } from '../../../src-shared/schemas/model-manifest.js';
import { NO_MODEL_IMPORT, type ModelsState } from '../../state/engine-store.js';
import { ModelsView } from './ModelsSection.js';

const LICENSE = {
  spdx: 'CC-BY-NC-4.0',
  url: 'https://creativecommons.org/licenses/by-nc/4.0/',
  summary: 'MusicGen weights by Meta AI, licensed for non-commercial use only, with attribution.',
  nonCommercial: true,
};

function entry(patch: Partial<ModelListEntry> = {}): ModelListEntry {
  return {
    id: 'musicgen-small',
    kind: 'musicgen',
    displayName: 'MusicGen small (300M)',
    repo: 'Xenova/musicgen-small',
    dtype: 'q8',
    state: 'missing',
    sourceKind: 'hub',
    protocolModelName: null,
    license: LICENSE,
    dir: '/data/models/Xenova/musicgen-small',
    bytesPresent: 0,
    bytesTotal: null,
    approxBytes: 656_000_000,
    files: [],
    importInstructions: null,
    ...patch,
  };
}

const MEDIUM = entry({
  id: 'musicgen-medium',
  displayName: 'MusicGen medium (1.5B)',
  repo: 'facebook/musicgen-medium',
  dtype: 'fp16',
  sourceKind: 'import',
  approxBytes: null,
  importInstructions: 'No transformers.js export of this model is published. Export one with optimum.',
});

function running(patch: Partial<ModelDownloadEvent> = {}): ModelDownloadEvent {
  return {
    id: 'musicgen-small',
    dtype: 'q8',
    state: 'running',
    file: 'onnx/decoder_model_merged_quantized.onnx',
    filesDone: 1,
    filesTotal: 3,
    bytes: 200_000_000,
    total: 656_000_000,
    bytesPerSecond: 12_500_000,
    etaSeconds: 125,
    ...patch,
  };
}

function render(models: Partial<ModelsState>, connected = true): string {
  const state: ModelsState = {
    entries: null,
    loading: false,
    error: null,
    downloads: {},
    actionErrors: {},
    import: NO_MODEL_IMPORT,
    ...models,
  };
  const noop = (): void => undefined;
  return renderToStaticMarkup(
    <ModelsView
      models={state}
      connected={connected}
      onDownload={noop}
      onCancel={noop}
      onDelete={noop}
      onImport={noop}
    />,
  );
}

function variant(html: string, testId: string): string {
  const start = html.indexOf(`data-testid="${testId}"`);
  if (start < 0) throw new Error(`no ${testId} in ${html}`);
  const end = html.indexOf('</li>', start);
  return html.slice(start, end);
}

describe('Models section', () => {
  it('uses fixtures that the engine could have sent', () => {
    expect(ModelListEntrySchema.parse(entry())).toEqual(entry());
    expect(ModelListEntrySchema.parse(MEDIUM)).toEqual(MEDIUM);
  });

  it('shows each model missing, with its licence prominently and a Download button', () => {
    const html = render({ entries: [entry(), entry({ dtype: 'fp32', approxBytes: 2_250_000_000 }), MEDIUM] });
    expect(html).toContain('<h4 id="model-musicgen-small-title">MusicGen small (300M)</h4>');
    expect(html).toContain('Xenova/musicgen-small');
    expect(html).toContain('<strong>Weights licensed CC-BY-NC-4.0 (non-commercial use only)</strong>');
    expect(html).toContain('>https://creativecommons.org/licenses/by-nc/4.0/</a>');
    const q8 = variant(html, 'model-musicgen-small-q8');
    expect(q8).toMatch(/<span class="tag tag--neutral" data-testid="model-state">missing<\/span>/);
    expect(q8).toContain('~656 MB');
    expect(q8).toContain('>Download</button>');
    expect(q8).not.toContain('Delete');
    expect(variant(html, 'model-musicgen-small-fp32')).toContain('~2.25 GB');
  });

  it('says how to import a model that cannot be downloaded, and offers no Download', () => {
    const html = render({ entries: [MEDIUM] });
    expect(html).toContain('Not downloadable: No transformers.js export of this model is published.');
    expect(variant(html, 'model-musicgen-medium-fp16')).not.toContain('Download');
    expect(variant(html, 'model-musicgen-medium-fp16')).toContain('size unknown');
  });

  it('shows a running download: a meter, speed and time left, Cancel, and the other dtypes held back', () => {
    const html = render({
      entries: [entry({ state: 'partial', bytesPresent: 200_000_000 }), entry({ dtype: 'fp32' })],
      downloads: { 'musicgen-small@q8': running() },
    });
    const q8 = variant(html, 'model-musicgen-small-q8');
    expect(q8).toMatch(/<meter class="meter__bar" min="0" max="656000000" value="200000000"/);
    expect(q8).toContain('200 MB of 656 MB · 12.5 MB/s · 2m 05s left');
    expect(q8).toContain('onnx/decoder_model_merged_quantized.onnx (file 2 of 3)');
    expect(q8).toContain('>Cancel</button>');
    expect(q8).not.toContain('Download</button>');
    expect(variant(html, 'model-musicgen-small-fp32')).toMatch(/<button[^>]*disabled=""[^>]*>Download<\/button>/);
  });

  it('shows a failed download and a refused action clearly', () => {
    const html = render({
      entries: [entry({ state: 'partial', bytesPresent: 5_000 })],
      downloads: {
        'musicgen-small@q8': running({
          state: 'failed',
          error: { code: 'unauthorized', message: 'The hub refused Xenova/musicgen-small (401).' },
        }),
      },
      actionErrors: { 'musicgen-small@q8': new HostApiError('internal', 'Not enough free space') },
    });
    const q8 = variant(html, 'model-musicgen-small-q8');
    expect(q8).toMatch(/role="alert" data-testid="model-download-error"/);
    expect(q8).toContain('Download failed: The hub refused Xenova/musicgen-small (401).');
    expect(q8).toContain('(unauthorized)');
    expect(q8).toContain('Not enough free space');
    expect(q8).toContain('>Resume download</button>');
    expect(q8).toMatch(/tag--warn" data-testid="model-state">partial</);
  });

  it('shows a ready model with Delete and its size on disk', () => {
    const html = render({ entries: [entry({ state: 'ready', bytesPresent: 654_321_000, bytesTotal: 654_321_000 })] });
    const q8 = variant(html, 'model-musicgen-small-q8');
    expect(q8).toMatch(/tag--ok" data-testid="model-state">ready</);
    expect(q8).toContain('654 MB');
    expect(q8).toContain('>Delete</button>');
    expect(q8).not.toContain('Download');
  });

  it('says when it waits for the engine, and shows a failed listing', () => {
    expect(render({}, false)).toContain('The models are listed once the engine is connected.');
    expect(render({ loading: true })).toContain('Checking the models folder…');
    const html = render({ error: new HostApiError('timeout', 'models.list got no reply within 180 s.') });
    expect(html).toContain('Could not list the models: models.list got no reply within 180 s.');
  });
});

const CLAP = entry({
  id: 'clap-larger-music-and-speech',
  kind: 'clap',
  displayName: 'CLAP larger, music and speech (prompt adherence)',
  repo: 'Xenova/larger_clap_music_and_speech',
  dtype: 'fp32',
  license: {
    spdx: 'Apache-2.0',
    url: 'https://www.apache.org/licenses/LICENSE-2.0',
    summary: 'LAION CLAP weights, Apache-2.0.',
    nonCommercial: false,
  },
  approxBytes: 784_000_541,
});
const VGGISH = entry({
  id: 'vggish-pre-relu',
  kind: 'vggish',
  displayName: 'VGGish, pre-ReLU embeddings (FAD)',
  repo: 'harritaylor/torchvggish',
  dtype: 'fp32',
  sourceKind: 'import',
  license: CLAP.license,
  approxBytes: 290_000_000,
  importInstructions: 'No public ONNX export of VGGish without its final ReLU is published.',
});

/** The markup of one kind's section. */
function section(html: string, testId: string): string {
  const start = html.indexOf(`<section aria-labelledby="${testId}-title" data-testid="${testId}"`);
  if (start < 0) throw new Error(`no ${testId} in ${html}`);
  return html.slice(start, html.indexOf('</section>', start));
}

describe('Models section, by kind', () => {
  it('lists generation and scoring models apart, each with its licence, size and state', () => {
    expect(ModelListEntrySchema.parse(CLAP)).toEqual(CLAP);
    const html = render({ entries: [entry(), CLAP, MEDIUM, VGGISH] });
    const generation = section(html, 'models-generation');
    const scoring = section(html, 'models-scoring');
    expect(generation).toContain('<h3 id="models-generation-title">Generation models</h3>');
    expect(generation).toContain('data-testid="model-musicgen-small"');
    expect(generation).toContain('data-testid="model-musicgen-medium"');
    expect(generation).not.toContain('clap');
    expect(scoring).toContain('<h3 id="models-scoring-title">Scoring models</h3>');
    expect(scoring).toContain('<strong>Weights licensed Apache-2.0</strong>');
    expect(scoring).not.toContain('non-commercial');
    expect(variant(scoring, 'model-clap-larger-music-and-speech-fp32')).toContain('~784 MB');
    expect(variant(scoring, 'model-clap-larger-music-and-speech-fp32')).toContain('>Download</button>');
    expect(scoring).toContain('Not downloadable: No public ONNX export of VGGish');
    expect(variant(scoring, 'model-vggish-pre-relu-fp32')).not.toContain('Download');
    expect(html.indexOf('models-generation')).toBeLessThan(html.indexOf('models-scoring'));
  });

  it('shows a scoring model’s download progress in its own row', () => {
    const html = render({
      entries: [entry(), CLAP],
      downloads: {
        'clap-larger-music-and-speech@fp32': running({
          id: 'clap-larger-music-and-speech',
          dtype: 'fp32',
          file: 'onnx/text_model.onnx',
          total: 784_000_541,
        }),
      },
    });
    const clap = variant(section(html, 'models-scoring'), 'model-clap-larger-music-and-speech-fp32');
    expect(clap).toMatch(/<meter class="meter__bar" min="0" max="784000541" value="200000000"/);
    expect(clap).toContain('onnx/text_model.onnx (file 2 of 3)');
    expect(section(html, 'models-generation')).not.toContain('<meter');
  });

  it('leaves out a kind with no models', () => {
    const html = render({ entries: [entry()] });
    expect(html).toContain('data-testid="models-generation"');
    expect(html).not.toContain('data-testid="models-scoring"');
  });
});
