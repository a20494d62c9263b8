/**
 * Import on Settings → Models: a MusicGen ONNX export that exists as a folder on the engine's
 * machine (the engine may be a daemon elsewhere, so the browser's file picker would name the wrong
 * disk: the path is typed). The engine checks the folder before accepting it, then copies and
 * hashes it, with progress as `model` events.
 */
import { useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import type { ModelDownloadEvent } from '../../../src-shared/schemas/model-manifest.js';
import { formatBytes } from '../../format.js';
import type { ModelImport } from '../../state/engine-store.js';

/** Why a typed path cannot be sent, or null: it must be absolute on the engine's machine (POSIX or Windows). */
export function importPathProblem(dir: string): string | null {
  const path = dir.trim();
  if (path === '') return "Type the folder's path on the engine's machine.";
  if (!(path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\'))) {
    return 'Give the absolute path (starting with / or a drive such as C:\\): the engine may run in another folder or on another machine.';
  }
  return null;
}

export function ModelImportForm({
  state,
  progress,
  connected,
  onImport,
}: {
  state: ModelImport;
  /** The latest `model` event for what the engine accepted, if any came. */
  progress: ModelDownloadEvent | undefined;
  connected: boolean;
  onImport: (dir: string, id?: string) => void;
}): ReactNode {
  const [dir, setDir] = useState('');
  const [id, setId] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submitting = state.submitting !== null;
  const copying = progress?.state === 'running';

  function submit(event: FormEvent): void {
    event.preventDefault();
    const found = importPathProblem(dir);
    setProblem(found);
    if (found === null) onImport(dir, id.trim() === '' ? undefined : id);
  }

  return (
    <form
      className="panel model-import"
      onSubmit={submit}
      aria-labelledby="model-import-title"
      data-testid="model-import-form"
    >
      <h3 id="model-import-title">Import a model folder</h3>
      <p className="setting__help">
        An ONNX export of MusicGen (for example medium or large, which have no public export) in a folder on the
        engine&apos;s machine. The folder is checked before anything is copied into the models folder.
      </p>
      <div className="model-import__fields">
        <PathField
          label="Folder"
          accessibleName="Folder on the engine's machine"
          value={dir}
          placeholder="/path/to/musicgen-medium-onnx"
          grow
          onChange={setDir}
        />
        <PathField
          label="Id"
          accessibleName="Model id (optional)"
          value={id}
          placeholder="from its config"
          onChange={setId}
        />
        <button
          type="submit"
          className="button"
          disabled={!connected || submitting || copying}
          data-testid="model-import-submit"
        >
          {submitting ? 'Checking the folder…' : 'Import'}
        </button>
      </div>
      {problem !== null && (
        <p className="setting__help model-import__problem" role="alert">
          {problem}
        </p>
      )}
      {state.error !== null && (
        <div className="alert" role="alert" data-testid="model-import-error">
          <p>
            The folder was refused: {state.error.message} <span className="muted">({state.error.code})</span>
          </p>
        </div>
      )}
      {state.accepted !== null && <ImportProgress accepted={state.accepted} progress={progress} />}
    </form>
  );
}

function ImportProgress({
  accepted,
  progress,
}: {
  accepted: NonNullable<ModelImport['accepted']>;
  progress: ModelDownloadEvent | undefined;
}): ReactNode {
  const name = `${accepted.id} (${accepted.dtype})`;
  if (progress === undefined || progress.state === 'running') {
    return (
      <div className="meter" data-testid="model-import-progress">
        <div className="meter__head">
          <span>
            {progress?.file == null
              ? `Importing ${name}…`
              : `${progress.file} (file ${Math.min(progress.filesDone + 1, progress.filesTotal)} of ${progress.filesTotal})`}
          </span>
          <span className="meter__text">
            {progress === undefined
              ? ''
              : progress.total > 0
                ? `${formatBytes(progress.bytes)} of ${formatBytes(progress.total)}`
                : formatBytes(progress.bytes)}
          </span>
        </div>
        <meter
          className="meter__bar"
          min={0}
          max={Math.max(progress?.total ?? 0, 1)}
          value={progress?.bytes ?? 0}
          aria-label={`Import of ${name}`}
        />
      </div>
    );
  }
  if (progress.state === 'failed' || progress.state === 'cancelled') {
    return (
      <div className="alert" role="alert" data-testid="model-import-error">
        <p>
          The import of {name} {progress.state === 'failed' ? 'failed' : 'was cancelled'}:{' '}
          {progress.error?.message ?? 'no reason given'}{' '}
          <span className="muted">({progress.error?.code ?? progress.state})</span>
        </p>
      </div>
    );
  }
  return (
    <p className="setting__help" role="status" data-testid="model-import-status">
      Imported {name} from <code>{accepted.dir}</code> and checked it; it is listed below.
    </p>
  );
}

/** A labelled text field for a path or an id: no spell check or autofill on either. */
function PathField(props: {
  label: string;
  accessibleName: string;
  value: string;
  placeholder: string;
  grow?: boolean;
  onChange: (value: string) => void;
}): ReactNode {
  return (
    <label className={props.grow ? 'field field--inline field--grow' : 'field field--inline'}>
      <span>{props.label}</span>
      <input
        type="text"
        value={props.value}
        placeholder={props.placeholder}
        aria-label={props.accessibleName}
        spellCheck={false}
        autoComplete="off"
        onChange={(event) => props.onChange(event.target.value)}
      />
    </label>
  );
}
