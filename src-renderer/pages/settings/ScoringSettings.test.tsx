/**
 * Settings → Scoring: the choices a validator makes, the models of each kind with their state,
 * and the settings change each control sends.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { HostApiError } from '../../../src-shared/api/errors.js';
import { ModelListEntrySchema, type ModelListEntry } from '../../../src-shared/schemas/model-manifest.js';
import { DEFAULT_SETTINGS, SettingsPatchSchema } from '../../../src-shared/schemas/settings.js';
import { modelOptions, NO_MODEL, scoringPatch, ScoringSettingsView, type ScoringChoices } from './ScoringSettings.js';

const APACHE = {
  spdx: 'Apache-2.0',
  url: 'https://www.apache.org/licenses/LICENSE-2.0',
  summary: 'Apache-2.0.',
  nonCommercial: false,
};

function entry(patch: Partial<ModelListEntry>): ModelListEntry {
  return {
    id: 'clap-larger-music-and-speech',
    kind: 'clap',
    displayName: 'CLAP larger, music and speech (prompt adherence)',
    repo: 'Xenova/larger_clap_music_and_speech',
    dtype: 'fp32',
    state: 'missing',
    sourceKind: 'hub',
    protocolModelName: null,
    license: APACHE,
    dir: '/data/models/Xenova/larger_clap_music_and_speech',
    bytesPresent: 0,
    bytesTotal: null,
    approxBytes: 784_000_541,
    files: [],
    importInstructions: null,
    ...patch,
  };
}

const CLAP = entry({});
const AST = entry({
  id: 'ast-audioset',
  kind: 'audio-classifier',
  displayName: 'AST AudioSet classifier (KL divergence)',
  repo: 'Xenova/ast-finetuned-audioset-10-10-0.4593',
  state: 'ready',
  bytesPresent: 347_000_000,
});
const VGGISH = entry({
  id: 'vggish-pre-relu',
  kind: 'vggish',
  displayName: 'VGGish, pre-ReLU embeddings (FAD)',
  repo: 'harritaylor/torchvggish',
  sourceKind: 'import',
  importInstructions: 'Import it.',
});
const SMALL = entry({ id: 'musicgen-small', kind: 'musicgen', displayName: 'MusicGen small (300M)', dtype: 'q8' });
const ENTRIES = [SMALL, CLAP, AST, VGGISH];

const DEFAULTS: ScoringChoices = {
  scoringProfile: DEFAULT_SETTINGS.scoringProfile,
  scoringClapModel: DEFAULT_SETTINGS.scoringClapModel,
  scoringClassifierModel: DEFAULT_SETTINGS.scoringClassifierModel,
  scoringVggishModel: DEFAULT_SETTINGS.scoringVggishModel,
  scoringDevice: DEFAULT_SETTINGS.scoringDevice,
};

function render(
  choices: Partial<ScoringChoices> = {},
  entries: readonly ModelListEntry[] | null = ENTRIES,
  save: Parameters<typeof ScoringSettingsView>[0]['save'] = { kind: 'idle' },
  connected = true,
): string {
  return renderToStaticMarkup(
    <ScoringSettingsView
      choices={{ ...DEFAULTS, ...choices }}
      entries={entries}
      connected={connected}
      save={save}
      onChange={() => undefined}
    />,
  );
}

/** The markup of one setting's block. */
function block(html: string, testId: string): string {
  const start = html.indexOf(`data-testid="${testId}"`);
  if (start < 0) throw new Error(`no ${testId} in ${html}`);
  return html.slice(start, html.indexOf('</div>', start));
}

describe('Scoring settings', () => {
  it('uses fixtures that the engine could have sent', () => {
    for (const e of ENTRIES) expect(ModelListEntrySchema.parse(e)).toEqual(e);
  });

  it('shows the reference profile, the default models with their state, no VGGish and the CPU', () => {
    const html = render();
    expect(html).toContain('<h2 id="scoring-title">Scoring</h2>');
    expect(html).toContain('<option value="bittaudio-1.1.3" selected="">bittaudio-1.1.3</option>');
    expect(html).toContain('Scores as the reference validator does');
    const clap = block(html, 'setting-scoringClapModel');
    expect(clap).toContain(
      '<option value="clap-larger-music-and-speech" selected="">CLAP larger, music and speech (prompt adherence) (missing)</option>',
    );
    expect(clap).toContain('Not installed yet: download or import it under Models.');
    expect(clap).not.toContain('MusicGen'); // only models of the slot's kind
    const ast = block(html, 'setting-scoringClassifierModel');
    expect(ast).toContain('AST AudioSet classifier (KL divergence) (ready)</option>');
    expect(ast).not.toContain('Not installed yet');
    const vggish = block(html, 'setting-scoringVggishModel');
    expect(vggish).toContain('<option value="" selected="">None (score without FAD)</option>');
    expect(vggish).toContain('<option value="vggish-pre-relu">VGGish, pre-ReLU embeddings (FAD) (missing)</option>');
    expect(vggish).not.toContain('Not installed yet'); // none chosen, nothing to install
    expect(html).toContain('<option value="cpu" selected="">CPU</option>');
  });

  it('keeps a setting that names a model the store no longer offers, and says so', () => {
    const html = render({ scoringClapModel: 'old-clap' });
    expect(block(html, 'setting-scoringClapModel')).toContain(
      '<option value="old-clap" selected="">old-clap (not offered)</option>',
    );
    // A model named by its repo selects that model.
    const byRepo = render({ scoringClassifierModel: 'Xenova/ast-finetuned-audioset-10-10-0.4593' });
    expect(block(byRepo, 'setting-scoringClassifierModel')).toContain('<option value="ast-audioset" selected="">');
  });

  it('shows the saved choices before the model list arrives, without a not-installed warning', () => {
    const html = render({ scoringVggishModel: 'vggish-pre-relu', scoringDevice: 'cuda' }, null);
    expect(block(html, 'setting-scoringVggishModel')).toContain(
      '<option value="vggish-pre-relu" selected="">vggish-pre-relu</option>',
    );
    expect(html).not.toContain('Not installed yet');
    expect(html).toContain('<option value="cuda" selected="">CUDA</option>');
  });

  it('disables every control while disconnected and shows a refused save', () => {
    const html = render(
      {},
      ENTRIES,
      { kind: 'error', error: new HostApiError('invalid_input', 'Invalid settings') },
      false,
    );
    expect(html.match(/<select /g)).toHaveLength(5);
    expect(html.match(/<select [^>]*disabled=""/g)).toHaveLength(5);
    expect(html).toContain('Could not save the setting: Invalid settings');
  });

  it('lists one option per model of the kind, ready when any dtype is', () => {
    const partial = entry({ dtype: 'fp16', state: 'partial' });
    const ready = entry({ state: 'ready' });
    expect(modelOptions([partial, ready, AST], 'clap', 'clap-larger-music-and-speech')).toEqual([
      {
        value: 'clap-larger-music-and-speech',
        label: 'CLAP larger, music and speech (prompt adherence) (ready)',
        ready: true,
      },
    ]);
    expect(modelOptions(ENTRIES, 'vggish', null).map((o) => o.value)).toEqual(['vggish-pre-relu']);
  });

  it('sends a change the settings schema accepts, and refuses a value it would not', () => {
    const patches = [
      scoringPatch('scoringProfile', 'fixed'),
      scoringPatch('scoringClapModel', 'clap-larger-music-and-speech'),
      scoringPatch('scoringVggishModel', NO_MODEL),
      scoringPatch('scoringVggishModel', 'vggish-pre-relu'),
      scoringPatch('scoringDevice', 'cuda'),
    ];
    expect(patches).toEqual([
      { scoringProfile: 'fixed' },
      { scoringClapModel: 'clap-larger-music-and-speech' },
      { scoringVggishModel: null },
      { scoringVggishModel: 'vggish-pre-relu' },
      { scoringDevice: 'cuda' },
    ]);
    for (const patch of patches) expect(SettingsPatchSchema.parse(patch)).toEqual(patch);
    expect(() => scoringPatch('scoringProfile', 'bittaudio-9')).toThrow();
    expect(() => scoringPatch('scoringDevice', 'tpu')).toThrow();
  });
});
