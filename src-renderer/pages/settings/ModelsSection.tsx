/**
 * The Models section of the Settings page: each offered model with its licence, each dtype with
 * its state in the store, and Download / Cancel / Delete. Progress comes from the engine's `model`
 * events; a model without a public export says how to import one. Generation models (MusicGen,
 * for the miner) and scoring models (CLAP, AudioSet classifier, VGGish, for the validator) are
 * listed apart, by the kind the engine gives each entry.
 */
import { useEffect } from 'react';
import type { ReactNode } from 'react';
import type { HostApiError } from '../../../src-shared/api/errors.js';
import {
  isScoringKind,
  type ModelDownloadEvent,
  type ModelDtype,
  type ModelListEntry,
  type ModelState,
} from '../../../src-shared/schemas/model-manifest.js';
import { formatBytes, formatDuration } from '../../format.js';
import { useEngine } from '../../state/engine-context.js';
import { modelKey, type ModelsState } from '../../state/engine-store.js';
import { ModelImportForm } from './ModelImportForm.js';
import { Tag } from '../../components/Tag.js';

const STATE_TONE: Record<ModelState, 'ok' | 'warn' | 'error' | 'neutral'> = {
  ready: 'ok',
  partial: 'warn',
  corrupt: 'error',
  missing: 'neutral',
};

export interface ModelsActions {
  onDownload(id: string, dtype: ModelDtype): void;
  onCancel(id: string, dtype: ModelDtype): void;
  onDelete(id: string, dtype: ModelDtype): void;
  onImport(dir: string, id?: string): void;
}

export function ModelsSection(): ReactNode {
  const models = useEngine((state) => state.models);
  const connected = useEngine((state) => state.connection.status === 'connected');
  const loadModels = useEngine((state) => state.loadModels);
  const downloadModel = useEngine((state) => state.downloadModel);
  const cancelModelDownload = useEngine((state) => state.cancelModelDownload);
  const deleteModel = useEngine((state) => state.deleteModel);
  const importModel = useEngine((state) => state.importModel);

  useEffect(() => {
    if (connected) void loadModels();
  }, [connected, loadModels]);

  return (
    <ModelsView
      models={models}
      connected={connected}
      onDownload={(id, dtype) => void downloadModel(id, dtype)}
      onCancel={(id, dtype) => void cancelModelDownload(id, dtype)}
      onDelete={(id, dtype) => {
        if (typeof window.confirm === 'function' && !window.confirm(`Delete ${id} (${dtype}) from this computer?`)) {
          return;
        }
        void deleteModel(id, dtype);
      }}
      onImport={(dir, id) => void importModel(dir, id)}
    />
  );
}

export function ModelsView({
  models,
  connected,
  ...actions
}: { models: ModelsState; connected: boolean } & ModelsActions): ReactNode {
  const entries = models.entries ?? [];
  const kinds = [
    {
      key: 'generation',
      title: 'Generation models',
      help: 'MusicGen, which the miner runs.',
      groups: groupById(entries.filter((e) => !isScoringKind(e.kind))),
    },
    {
      key: 'scoring',
      title: 'Scoring models',
      help: 'CLAP (prompt adherence), an AudioSet classifier (KL divergence) and VGGish (FAD), which the validator runs.',
      groups: groupById(entries.filter((e) => isScoringKind(e.kind))),
    },
  ];
  return (
    <section className="models" aria-labelledby="models-title" data-testid="models">
      <h2 id="models-title">Models</h2>
      <p className="setting__help">
        Models are kept in the data folder. Downloads resume where they stopped and every file is checked before a model
        is used.
      </p>
      {models.error !== null && (
        <div className="alert" role="alert" data-testid="models-error">
          <p>
            Could not list the models: {models.error.message} <span className="muted">({models.error.code})</span>
          </p>
        </div>
      )}
      <ModelImportForm
        state={models.import}
        progress={
          models.import.accepted === null
            ? undefined
            : models.downloads[modelKey(models.import.accepted.id, models.import.accepted.dtype)]
        }
        connected={connected}
        onImport={actions.onImport}
      />
      {models.entries === null ? (
        <p className="panel muted" role="status" data-testid="models-status">
          {!connected
            ? 'The models are listed once the engine is connected.'
            : models.loading
              ? 'Checking the models folder…'
              : ''}
        </p>
      ) : (
        kinds.map(
          (kind) =>
            kind.groups.length > 0 && (
              <section key={kind.key} aria-labelledby={`models-${kind.key}-title`} data-testid={`models-${kind.key}`}>
                <h3 id={`models-${kind.key}-title`}>{kind.title}</h3>
                <p className="setting__help">{kind.help}</p>
                {kind.groups.map((group) => (
                  <ModelCard key={group[0]?.id} entries={group} models={models} connected={connected} {...actions} />
                ))}
              </section>
            ),
        )
      )}
    </section>
  );
}

function ModelCard({
  entries,
  models,
  connected,
  ...actions
}: { entries: ModelListEntry[]; models: ModelsState; connected: boolean } & ModelsActions): ReactNode {
  const first = entries[0];
  if (!first) return null;
  const { license } = first;
  const busyDtype = entries.find((e) => models.downloads[modelKey(e.id, e.dtype)]?.state === 'running')?.dtype;
  return (
    <article className="panel model" data-testid={`model-${first.id}`} aria-labelledby={`model-${first.id}-title`}>
      <div className="panel__head model__head">
        <h4 id={`model-${first.id}-title`}>{first.displayName}</h4>
        <code className="model__repo">{first.repo}</code>
      </div>
      <p className="model__license" data-testid="model-license">
        <strong>
          Weights licensed {license.spdx}
          {license.nonCommercial ? ' (non-commercial use only)' : ''}
        </strong>
        {'. '}
        {license.summary}{' '}
        <a href={license.url} target="_blank" rel="noreferrer noopener">
          {license.url}
        </a>
      </p>
      {first.importInstructions !== null && (
        <p className="setting__help" data-testid="model-import">
          Not downloadable: {first.importInstructions}
        </p>
      )}
      <ul className="model__variants">
        {entries.map((entry) => (
          <VariantRow
            key={entry.dtype}
            entry={entry}
            download={models.downloads[modelKey(entry.id, entry.dtype)]}
            actionError={models.actionErrors[modelKey(entry.id, entry.dtype)]}
            connected={connected}
            otherBusy={busyDtype !== undefined && busyDtype !== entry.dtype}
            {...actions}
          />
        ))}
      </ul>
    </article>
  );
}

function VariantRow({
  entry,
  download,
  actionError,
  connected,
  otherBusy,
  onDownload,
  onCancel,
  onDelete,
}: {
  entry: ModelListEntry;
  download: ModelDownloadEvent | undefined;
  actionError: HostApiError | undefined;
  connected: boolean;
  otherBusy: boolean;
} & ModelsActions): ReactNode {
  const running = download?.state === 'running';
  const downloadable = entry.sourceKind === 'hub';
  const label =
    entry.state === 'partial' ? 'Resume download' : entry.state === 'corrupt' ? 'Download again' : 'Download';
  return (
    <li className="model-variant" data-testid={`model-${entry.id}-${entry.dtype}`}>
      <div className="model-variant__row">
        <span className="model-variant__dtype">{entry.dtype}</span>
        <Tag tone={STATE_TONE[entry.state]} testId="model-state">
          {entry.state}
        </Tag>
        <span className="muted model-variant__size">{sizeText(entry)}</span>
        <span className="model-variant__actions">
          {downloadable && entry.state !== 'ready' && !running && (
            <button
              type="button"
              className="button button--small"
              disabled={!connected || otherBusy}
              onClick={() => onDownload(entry.id, entry.dtype)}
            >
              {label}
            </button>
          )}
          {running && (
            <button
              type="button"
              className="button button--small"
              disabled={!connected}
              onClick={() => onCancel(entry.id, entry.dtype)}
            >
              Cancel
            </button>
          )}
          {entry.state !== 'missing' && !running && (
            <button
              type="button"
              className="button button--small"
              disabled={!connected || otherBusy}
              onClick={() => onDelete(entry.id, entry.dtype)}
            >
              Delete
            </button>
          )}
        </span>
      </div>
      {entry.note !== undefined && <p className="setting__help">{entry.note}</p>}
      {download !== undefined && <DownloadStatus download={download} />}
      {actionError !== undefined && (
        <div className="alert" role="alert" data-testid="model-action-error">
          <p>
            {actionError.message} <span className="muted">({actionError.code})</span>
          </p>
        </div>
      )}
    </li>
  );
}

function DownloadStatus({ download }: { download: ModelDownloadEvent }): ReactNode {
  if (download.state === 'running') {
    const parts = [
      download.total > 0
        ? `${formatBytes(download.bytes)} of ${formatBytes(download.total)}`
        : formatBytes(download.bytes),
    ];
    if (download.bytesPerSecond > 0) parts.push(`${formatBytes(download.bytesPerSecond)}/s`);
    if (download.etaSeconds !== null && download.bytes > 0) parts.push(`${formatDuration(download.etaSeconds)} left`);
    return (
      <div className="meter" data-testid="model-progress">
        <div className="meter__head">
          <span>
            {download.file === null
              ? 'Starting the download…'
              : `${download.file} (file ${Math.min(download.filesDone + 1, download.filesTotal)} of ${download.filesTotal})`}
          </span>
          <span className="meter__text">{parts.join(' · ')}</span>
        </div>
        <meter
          className="meter__bar"
          min={0}
          max={Math.max(download.total, 1)}
          value={download.bytes}
          aria-label={`Download of ${download.id} (${download.dtype})`}
        />
      </div>
    );
  }
  if (download.state === 'failed') {
    return (
      <div className="alert" role="alert" data-testid="model-download-error">
        <p>
          Download failed: {download.error?.message ?? 'unknown error'}{' '}
          <span className="muted">({download.error?.code ?? 'internal'})</span>
        </p>
        <p className="muted">Files already downloaded are kept; downloading again resumes.</p>
      </div>
    );
  }
  if (download.state === 'cancelled') {
    return (
      <p className="setting__help" role="status" data-testid="model-download-status">
        Download cancelled at {formatBytes(download.bytes)}; downloading again resumes it.
      </p>
    );
  }
  return (
    <p className="setting__help" role="status" data-testid="model-download-status">
      Downloaded and checked.
    </p>
  );
}

function sizeText(entry: ModelListEntry): string {
  const total = entry.bytesTotal ?? entry.approxBytes;
  const totalText = total === null ? 'size unknown' : `${entry.bytesTotal === null ? '~' : ''}${formatBytes(total)}`;
  if (entry.state === 'ready') return formatBytes(entry.bytesPresent);
  if (entry.bytesPresent > 0) return `${formatBytes(entry.bytesPresent)} of ${totalText}`;
  return totalText;
}

/** Entries of one model together, in the order the engine listed them. */
function groupById(entries: readonly ModelListEntry[]): ModelListEntry[][] {
  const groups = new Map<string, ModelListEntry[]>();
  for (const entry of entries) {
    const group = groups.get(entry.id);
    if (group) group.push(entry);
    else groups.set(entry.id, [entry]);
  }
  return [...groups.values()];
}
