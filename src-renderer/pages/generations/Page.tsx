/**
 * Generations: every clip this machine made (or failed to make) for a caller, newest first,
 * searchable by prompt or caller and paged; live as requests arrive. Selecting a clip shows its
 * waveform with Play / Pause, seeking and Save WAV.
 */
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import type { GenerationEvent, StoredGenerationItem } from '../../../src-shared/schemas/generation.js';
import { formatBytes, formatLocalDateTime, formatMs } from '../../format.js';
import { shortAddress } from '../../miner-text.js';
import { useEngine } from '../../state/engine-context.js';
import { LIBRARY_PAGE_SIZE, pageRangeText, type GenerationLibrary } from '../../state/generation-library.js';
import { ClipPlayer } from './ClipPlayer.js';
import { ReceivedAnswers } from './ReceivedAnswers.js';
import { JobRow } from '../../components/MinerPanels.js';
import './generations.css';
import { Tag } from '../../components/Tag.js';

/** Typing pauses this long before the search is sent. */
const SEARCH_DELAY_MS = 300;

export function GenerationsPage(): ReactNode {
  const library = useEngine((state) => state.library);
  const jobs = useEngine((state) => state.jobs);
  const connected = useEngine((state) => state.connection.status === 'connected');
  const minerRunning = useEngine((state) => state.neuron.value?.state === 'running');
  const loadGenerations = useEngine((state) => state.loadGenerations);
  const mediaUrl = useEngine((state) => state.mediaUrl);
  const [text, setText] = useState(library.query.search);
  const [selected, setSelected] = useState<StoredGenerationItem | null>(null);
  const [tab, setTab] = useState<'made' | 'received'>('made');
  const answers = useEngine((state) => state.validatorAnswers);
  const rounds = useEngine((state) => state.validatorRounds);
  const validatorKnown = useEngine((state) => state.validator.value !== null);
  const loadValidatorAnswers = useEngine((state) => state.loadValidatorAnswers);
  const answersListed = answers.items !== null;
  useEffect(() => {
    if (tab === 'received' && connected && !answersListed) void loadValidatorAnswers({});
  }, [tab, connected, answersListed, loadValidatorAnswers]);

  const listed = library.items !== null;
  useEffect(() => {
    if (connected && !listed) void loadGenerations({});
  }, [connected, listed, loadGenerations]);

  useEffect(() => {
    if (text.trim() === library.query.search) return;
    const timer = setTimeout(() => void loadGenerations({ search: text }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, library.query.search, loadGenerations]);

  // The selected row may have been updated (stored again) since it was picked.
  const current = selected === null ? null : (library.items?.find((item) => item.id === selected.id) ?? selected);

  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">Generations</h1>
      <div className="tabs" role="tablist" aria-label="Which clips">
        <button
          type="button"
          role="tab"
          className="button button--small"
          aria-selected={tab === 'made'}
          onClick={() => setTab('made')}
          data-testid="tab-made"
        >
          Made (miner)
        </button>
        <button
          type="button"
          role="tab"
          className="button button--small"
          aria-selected={tab === 'received'}
          onClick={() => setTab('received')}
          data-testid="tab-received"
        >
          Received (validator)
        </button>
      </div>
      {tab === 'received' ? (
        <ReceivedAnswers
          view={answers}
          rounds={rounds}
          connected={connected}
          validatorKnown={validatorKnown}
          mediaUrl={mediaUrl}
          onQuery={(query) => void loadValidatorAnswers(query)}
        />
      ) : (
        <>
          <div className="toolbar" role="search">
            <label className="field field--inline field--grow">
              <span>Search</span>
              <input
                type="search"
                value={text}
                placeholder="prompt or caller hotkey"
                aria-label="Search prompts and callers"
                onChange={(event) => setText(event.target.value)}
              />
            </label>
          </div>
          <GenerationsView
            library={library}
            jobs={jobs}
            connected={connected}
            minerRunning={minerRunning}
            selected={current}
            mediaUrl={mediaUrl}
            onSelect={setSelected}
            onPage={(offset) => void loadGenerations({ offset })}
          />
        </>
      )}
    </section>
  );
}

export function GenerationsView({
  library,
  jobs,
  connected,
  minerRunning,
  selected,
  mediaUrl,
  onSelect,
  onPage,
}: {
  library: GenerationLibrary;
  jobs: readonly GenerationEvent[];
  connected: boolean;
  minerRunning: boolean;
  selected: StoredGenerationItem | null;
  mediaUrl: (path: string) => string;
  onSelect: (item: StoredGenerationItem) => void;
  onPage: (offset: number) => void;
}): ReactNode {
  const items = library.items;
  const { offset, search } = library.query;
  return (
    <>
      {jobs.length > 0 && (
        <div className="panel" data-testid="generations-jobs">
          <h2>In progress</h2>
          <ul className="plain-list" aria-label="Jobs in progress">
            {jobs.map((job) => (
              <JobRow key={job.id} job={job} />
            ))}
          </ul>
        </div>
      )}
      {selected !== null && <SelectedClip item={selected} mediaUrl={mediaUrl} />}
      {library.error !== null && (
        <div className="alert" role="alert" data-testid="generations-error">
          <p>
            Could not list the clips: {library.error.message} <span className="muted">({library.error.code})</span>
          </p>
        </div>
      )}
      {items === null ? (
        <p className="panel muted" role="status">
          {connected ? 'Loading the clips…' : 'The clips are listed once the engine is connected.'}
        </p>
      ) : items.length === 0 && offset === 0 ? (
        <div className="panel" data-testid="generations-empty">
          {search !== '' ? (
            <p>No clip matches “{search}”.</p>
          ) : (
            <>
              <p>No clips yet.</p>
              <p className="muted">
                {minerRunning
                  ? 'The miner is running: each request a validator sends lands here, with its audio. On the local network the test validator sends one within a minute.'
                  : 'Clips arrive when validators query your miner. Start the miner on the Overview page; on the local network its test validator queries it within a minute.'}
              </p>
            </>
          )}
        </div>
      ) : (
        <div className="panel library" aria-busy={library.loading}>
          <div className="panel__head">
            <span className="muted" aria-live="polite" data-testid="generations-range">
              {pageRangeText(library)}
            </span>
            <span className="library__pages">
              {library.newer > 0 && (
                <button type="button" className="button button--small" onClick={() => onPage(0)}>
                  {library.newer} new — show newest
                </button>
              )}
              <button
                type="button"
                className="button button--small"
                disabled={offset === 0 || library.loading}
                onClick={() => onPage(Math.max(0, offset - LIBRARY_PAGE_SIZE))}
              >
                Newer
              </button>
              <button
                type="button"
                className="button button--small"
                disabled={offset + items.length >= library.total || library.loading}
                onClick={() => onPage(offset + LIBRARY_PAGE_SIZE)}
              >
                Older
              </button>
            </span>
          </div>
          <ul className="library__list" role="list" aria-label="Clips" data-testid="generations-list">
            {items.map((item) => (
              <ClipRow key={item.id} item={item} selected={item.id === selected?.id} onSelect={onSelect} />
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

function ClipRow({
  item,
  selected,
  onSelect,
}: {
  item: StoredGenerationItem;
  selected: boolean;
  onSelect: (item: StoredGenerationItem) => void;
}): ReactNode {
  return (
    <li className="clip" data-testid="generation">
      <button type="button" className="clip__button" aria-pressed={selected} onClick={() => onSelect(item)}>
        <span className="clip__prompt">{item.prompt === '' ? '(no prompt)' : item.prompt}</span>
        <Tag tone={item.status === 'ok' ? 'ok' : 'error'}>{item.status}</Tag>
        <span className="clip__meta muted">
          {formatLocalDateTime(item.time)} · {item.durationSeconds.toFixed(1)} s · from{' '}
          <span title={item.caller}>{shortAddress(item.caller)}</span> · queued {formatMs(item.queuedMs)} · generated in{' '}
          {formatMs(item.generateMs)}
        </span>
      </button>
    </li>
  );
}

function SelectedClip({
  item,
  mediaUrl,
}: {
  item: StoredGenerationItem;
  mediaUrl: (path: string) => string;
}): ReactNode {
  return (
    <article className="panel clip-detail" aria-labelledby="clip-title" data-testid="clip-detail">
      <h2 id="clip-title" className="clip-detail__title">
        {item.prompt === '' ? '(no prompt)' : item.prompt}
      </h2>
      {item.mediaPath !== null ? (
        <ClipPlayer key={item.id} item={item} url={mediaUrl(item.mediaPath)} />
      ) : (
        <p className="muted" data-testid="clip-no-audio">
          {item.status === 'failed'
            ? `No audio: the request failed${item.error === null ? '' : `: ${item.error}`}.`
            : 'No audio kept: the retention setting removed it.'}
        </p>
      )}
      <dl className="facts facts--compact">
        <dt>Caller</dt>
        <dd>
          <code>{item.caller}</code>
        </dd>
        <dt>Asked</dt>
        <dd>
          {formatLocalDateTime(item.time)} · {item.durationSeconds.toFixed(2)} s ({item.durationTokens} tokens)
        </dd>
        <dt>Made by</dt>
        <dd>
          {item.model ?? 'no model'} on {item.device ?? 'no device'} · queued {formatMs(item.queuedMs)} · generated in{' '}
          {formatMs(item.generateMs)}
        </dd>
        <dt>Audio</dt>
        <dd>{item.audioBytes > 0 ? formatBytes(item.audioBytes) : 'none'}</dd>
      </dl>
    </article>
  );
}
