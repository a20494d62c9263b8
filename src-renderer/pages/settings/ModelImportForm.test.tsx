import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { HostApiError } from '../../../src-shared/api/errors.js';
import type { ModelDownloadEvent } from '../../../src-shared/schemas/model-manifest.js';
import { NO_MODEL_IMPORT, type ModelImport } from '../../state/engine-store.js';
import { ModelImportForm, importPathProblem } from './ModelImportForm.js';

const ACCEPTED: ModelImport = {
  submitting: null,
  accepted: { id: 'musicgen-medium', dtype: 'fp16', dir: '/exports/medium' },
  error: null,
};

function event(patch: Partial<ModelDownloadEvent>): ModelDownloadEvent {
  return {
    id: 'musicgen-medium',
    dtype: 'fp16',
    state: 'running',
    file: 'decoder_model_merged.onnx',
    filesDone: 2,
    filesTotal: 4,
    bytes: 1_200_000_000,
    total: 3_000_000_000,
    bytesPerSecond: 0,
    etaSeconds: null,
    ...patch,
  };
}

function render(state: Partial<ModelImport>, progress?: ModelDownloadEvent, connected = true): string {
  return renderToStaticMarkup(
    <ModelImportForm
      state={{ ...NO_MODEL_IMPORT, ...state }}
      progress={progress}
      connected={connected}
      onImport={() => undefined}
    />,
  );
}

function importButton(html: string): string {
  return /<button[^>]*data-testid="model-import-submit"[^>]*>[^<]*<\/button>/.exec(html)?.[0] ?? '';
}

describe('model import form', () => {
  it('accepts absolute paths on POSIX and Windows, and says what is wrong with others', () => {
    expect(importPathProblem('/data/exports/medium')).toBeNull();
    expect(importPathProblem('  C:\\exports\\medium ')).toBeNull();
    expect(importPathProblem('D:/exports')).toBeNull();
    expect(importPathProblem('\\\\nas\\models')).toBeNull();
    expect(importPathProblem('  ')).toMatch(/Type the folder's path/);
    expect(importPathProblem('exports/medium')).toMatch(/absolute path/);
    expect(importPathProblem('~/exports')).toMatch(/absolute path/);
  });

  it('offers a labelled path field and Import, held while disconnected or checking', () => {
    const html = render({});
    expect(html).toContain('aria-label="Folder on the engine&#x27;s machine"');
    expect(html).toContain('aria-label="Model id (optional)"');
    expect(importButton(html)).toContain('>Import</button>');
    expect(importButton(html)).not.toContain('disabled');
    expect(importButton(render({}, undefined, false))).toContain('disabled=""');
    const checking = render({ submitting: '/exports/medium' });
    expect(importButton(checking)).toContain('disabled=""');
    expect(importButton(checking)).toContain('Checking the folder…');
  });

  it('shows why the engine refused the folder', () => {
    const html = render({ error: new HostApiError('invalid_input', '/tmp/x has no config.json') });
    expect(html).toMatch(/role="alert" data-testid="model-import-error"/);
    expect(html).toContain('The folder was refused: /tmp/x has no config.json');
    expect(html).toContain('(invalid_input)');
  });

  it('follows the copy and hash with a meter, and says when it is done or failed', () => {
    const running = render(ACCEPTED, event({}));
    expect(running).toMatch(/<meter class="meter__bar" min="0" max="3000000000" value="1200000000"/);
    expect(running).toContain('decoder_model_merged.onnx (file 3 of 4)');
    expect(running).toContain('1.20 GB of 3.00 GB');
    expect(importButton(running)).toContain('disabled=""');
    expect(render(ACCEPTED)).toContain('Importing musicgen-medium (fp16)…');
    expect(render(ACCEPTED, event({ state: 'done' }))).toContain(
      'Imported musicgen-medium (fp16) from <code>/exports/medium</code>',
    );
    const failed = render(
      ACCEPTED,
      event({ state: 'failed', error: { code: 'hash_mismatch', message: 'decoder changed while copying' } }),
    );
    expect(failed).toContain('The import of musicgen-medium (fp16) failed: decoder changed while copying');
  });
});
