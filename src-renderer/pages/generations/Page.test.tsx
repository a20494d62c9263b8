/**
 * The Generations page's markup for the states a person meets: no clip yet, a page of clips with
 * paging, a search with no match, jobs in progress, a selected clip with its player, a failed one.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { HostApiError } from '../../../src-shared/api/errors.js';
import type { StoredGenerationItem } from '../../../src-shared/schemas/generation.js';
import { EMPTY_LIBRARY, LIBRARY_PAGE_SIZE, type GenerationLibrary } from '../../state/generation-library.js';
import { job, stored } from '../../testing/miner-fixtures.js';
import { formatClock } from './ClipPlayer.js';
import { GenerationsView } from './Page.js';

const mediaUrl = (path: string): string => `/media/${path}?token=t`;

function render(
  library: Partial<GenerationLibrary>,
  options: { selected?: StoredGenerationItem; minerRunning?: boolean; jobs?: ReturnType<typeof job>[] } = {},
): string {
  return renderToStaticMarkup(
    <GenerationsView
      library={{ ...EMPTY_LIBRARY, ...library }}
      jobs={options.jobs ?? []}
      connected
      minerRunning={options.minerRunning ?? false}
      selected={options.selected ?? null}
      mediaUrl={mediaUrl}
      onSelect={() => undefined}
      onPage={() => undefined}
    />,
  );
}

function buttonNamed(html: string, name: string): string {
  const match = new RegExp(`<button[^>]*>${name}</button>`).exec(html);
  if (!match) throw new Error(`no ${name} button in ${html}`);
  return match[0];
}

describe('Generations page', () => {
  it('says how clips arrive when there is none yet', () => {
    const html = render({ items: [], total: 0 });
    expect(html).toContain('No clips yet.');
    expect(html).toContain('Start the miner on the Overview page');
    expect(render({ items: [], total: 0 }, { minerRunning: true })).toContain('The miner is running');
    expect(render({ items: null })).toContain('Loading the clips…');
  });

  it('says when a search matches nothing', () => {
    expect(render({ items: [], total: 0, query: { search: 'polka', offset: 0 } })).toContain(
      'No clip matches “polka”.',
    );
  });

  it('lists clips with prompt, caller, duration, timings and status, in a named list', () => {
    const items = [stored(2), stored(1, { status: 'failed', error: 'timeout', mediaPath: null })];
    const html = render({ items, total: 2 });
    expect(html).toMatch(/<ul class="library__list" role="list" aria-label="Clips"/);
    expect(html.match(/data-testid="generation"/g)).toHaveLength(2);
    expect(html).toContain('<span class="clip__prompt">prompt 2</span>');
    expect(html).toContain(
      '5.0 s · from <span title="5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty">5FHneW…94ty</span>',
    );
    expect(html).toContain('queued 12 ms · generated in 850 ms');
    expect(html).toContain('<span class="tag tag--error">failed</span>');
    expect(html).toContain('1–2 of 2');
    expect(buttonNamed(html, 'Newer')).toContain('disabled=""');
    expect(buttonNamed(html, 'Older')).toContain('disabled=""');
  });

  it('pages: Older while more remain, Newer past the first page, and a count of new clips there', () => {
    const page = Array.from({ length: LIBRARY_PAGE_SIZE }, (_, i) => stored(100 - i));
    const first = render({ items: page, total: 60 });
    expect(buttonNamed(first, 'Older')).not.toContain('disabled');
    expect(first).toContain(`1–${LIBRARY_PAGE_SIZE} of 60`);
    const later = render({ items: page.slice(0, 10), total: 60, query: { search: '', offset: 50 }, newer: 3 });
    expect(later).toContain('51–60 of 60');
    expect(buttonNamed(later, 'Newer')).not.toContain('disabled');
    expect(buttonNamed(later, 'Older')).toContain('disabled=""');
    expect(later).toContain('3 new — show newest');
  });

  it('shows jobs in progress above the library', () => {
    const html = render({ items: [], total: 0 }, { jobs: [job('a', { prompt: 'ambient pads' })] });
    expect(html).toContain('data-testid="generations-jobs"');
    expect(html).toContain('ambient pads · 5 s');
  });

  it('shows the selected clip with a waveform, Play (held until loaded), a seek slider, the audio and Save WAV', () => {
    const html = render({ items: [stored(7)], total: 1 }, { selected: stored(7) });
    expect(html).toMatch(/<button[^>]*aria-pressed="true"/);
    expect(html).toMatch(/role="group" aria-label="Waveform" aria-busy="true"/);
    expect(html).toMatch(/<button type="button" class="button" disabled="" data-testid="clip-play">Play<\/button>/);
    expect(html).toMatch(/<input type="range"[^>]*aria-label="Position"/);
    expect(html).toMatch(/<audio preload="auto" aria-label="Clip audio" data-testid="clip-audio">/);
    expect(html).toContain('href="/media/generations/7.wav?token=t" download="bittaudio-7.wav"');
    expect(html).toContain('>Save WAV</a>');
    expect(html).toContain('data-testid="clip-time">0:00.0 / 0:05.0</span>');
  });

  it('explains a selected clip without audio instead of offering a player', () => {
    const failed = stored(8, { status: 'failed', error: 'deadline passed', mediaPath: null, audioBytes: 0 });
    const html = render({ items: [failed], total: 1 }, { selected: failed });
    expect(html).toContain('No audio: the request failed: deadline passed.');
    expect(html).not.toContain('clip-player');
    const removed = stored(9, { mediaPath: null });
    expect(render({ items: [removed], total: 1 }, { selected: removed })).toContain('the retention setting removed it');
  });

  it('shows a listing failure', () => {
    const html = render({
      items: null,
      error: new HostApiError('unavailable', 'not implemented'),
    });
    expect(html).toMatch(/role="alert" data-testid="generations-error"/);
    expect(html).toContain('not implemented');
  });

  it('writes clip times as m:ss.s', () => {
    expect(formatClock(0)).toBe('0:00.0');
    expect(formatClock(3.44)).toBe('0:03.4');
    expect(formatClock(75.25)).toBe('1:15.3');
    expect(formatClock(Number.NaN)).toBe('0:00.0');
  });
});
