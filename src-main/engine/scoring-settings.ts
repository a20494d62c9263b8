/**
 * The validator's scoring settings turned into what the scoring tasks load: for each model
 * setting (CLAP, AudioSet classifier, optional VGGish) the installed, verified folder of a model of
 * the right kind, on the scoring device. Every problem is found before any is reported, so a
 * person fixes them all in one visit to Settings → Models instead of one per start.
 */
import type { ModelKind, ModelManifest } from '../../src-shared/schemas/model-manifest.js';
import type { ScoringProfile } from '../../src-shared/schemas/scoring.js';
import type { Settings } from '../../src-shared/schemas/settings.js';
import type { ModelTaskSource } from '../inference/worker/protocol.js';
import type { LoadableModel } from '../models/index.js';

export type ScoringSettings = Pick<
  Settings,
  'scoringProfile' | 'scoringClapModel' | 'scoringClassifierModel' | 'scoringVggishModel' | 'scoringDevice'
>;

/** What the resolver needs of a ModelStore. */
export interface ScoringModelStore {
  resolveModel(name: string, kind?: ModelKind): ModelManifest;
  loadable(id: string, dtype: ModelManifest['defaultDtype'], kind?: ModelKind): Promise<LoadableModel>;
}

/** A scoring model ready to load: its folder and device, and which model of the store it is. */
export interface ResolvedScoringModel extends ModelTaskSource {
  id: string;
  repo: string;
}

export interface ScoringModels {
  profile: ScoringProfile;
  clap: ResolvedScoringModel;
  classifier: ResolvedScoringModel;
  /** Null when no VGGish is configured: rounds are scored without FAD. */
  vggish: ResolvedScoringModel | null;
}

/** One or more scoring models cannot be used; `problems` has one line per setting at fault. */
export class ScoringModelsError extends Error {
  override readonly name = 'ScoringModelsError';
  constructor(readonly problems: readonly string[]) {
    super(
      `The validator cannot score: ${problems.join(' ')} Download or import the models in Settings → Models, ` +
        'or choose others under Settings → Scoring.',
    );
  }
}

const SLOTS = [
  { key: 'scoringClapModel', kind: 'clap', what: 'The CLAP model' },
  { key: 'scoringClassifierModel', kind: 'audio-classifier', what: 'The AudioSet classifier' },
  { key: 'scoringVggishModel', kind: 'vggish', what: 'The VGGish model' },
] as const satisfies readonly { key: keyof ScoringSettings; kind: ModelKind; what: string }[];

/**
 * Resolves each model setting to a ready model of its kind at the manifest's default dtype (fp32
 * for every scoring manifest: validators must agree on the numbers, scoring spec §3.2).
 * Throws ScoringModelsError naming every setting that names no model, a model of another kind, or
 * a model that is not installed and verified.
 */
export async function resolveScoringModels(
  settings: ScoringSettings,
  store: ScoringModelStore,
): Promise<ScoringModels> {
  const outcomes = await Promise.all(
    SLOTS.map(async ({ key, kind, what }): Promise<ResolvedScoringModel | string | null> => {
      const name = settings[key];
      if (name === null) return null;
      try {
        const manifest = store.resolveModel(name, kind);
        const loadable = await store.loadable(manifest.id, manifest.defaultDtype, kind);
        return { id: manifest.id, repo: manifest.repo, dir: loadable.dir, device: settings.scoringDevice };
      } catch (error) {
        return `${what} (${key} = ${name}): ${messageOf(error)}`;
      }
    }),
  );
  // In the settings' order, whichever check finished first.
  const problems = outcomes.filter((outcome) => typeof outcome === 'string');
  const [clap, classifier, vggish] = outcomes.map((outcome) => (typeof outcome === 'string' ? null : outcome));
  if (problems.length > 0 || !clap || !classifier) throw new ScoringModelsError(problems);
  return { profile: settings.scoringProfile, clap, classifier, vggish: vggish ?? null };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
