/**
 * The Generations page's view of the history: one page of `generations.list` for one search,
 * kept live as `generation.stored` events arrive, plus the jobs still in the queue (from the
 * `generation` progress events). Pure functions; the engine store calls them.
 */
import type { HostApiError } from '../../src-shared/api/errors.js';
import type { GenerationEvent, StoredGenerationItem } from '../../src-shared/schemas/generation.js';

/** Clips per page. */
export const LIBRARY_PAGE_SIZE = 25;

export interface LibraryQuery {
  /** Trimmed; empty for everything. */
  readonly search: string;
  readonly offset: number;
}

export interface GenerationLibrary {
  readonly query: LibraryQuery;
  /** The page shown, newest first; null before the first listing. */
  readonly items: readonly StoredGenerationItem[] | null;
  /** How many clips match the search in all. */
  readonly total: number;
  readonly loading: boolean;
  /** Why the last listing failed; cleared when a listing starts. */
  readonly error: HostApiError | null;
  /** Clips stored since this page was listed that a later page cannot show (the user is not on the first). */
  readonly newer: number;
}

export const EMPTY_LIBRARY: GenerationLibrary = {
  query: { search: '', offset: 0 },
  items: null,
  total: 0,
  loading: false,
  error: null,
  newer: 0,
};

/**
 * Whether a clip belongs to a search: the prompt or the caller contains it, ignoring case (what
 * generations.list's literal match does; a difference only shows until the next listing).
 */
export function matchesSearch(item: StoredGenerationItem, search: string): boolean {
  if (search === '') return true;
  const needle = search.toLowerCase();
  return item.prompt.toLowerCase().includes(needle) || item.caller.toLowerCase().includes(needle);
}

/**
 * A clip was stored. On the first page it goes on top (the last one drops to the next page); on a
 * later page it is counted as `newer` instead of shifting what the user is reading. A clip already
 * shown is replaced in place (a failed request stored, then its row updated).
 */
export function insertStored(library: GenerationLibrary, item: StoredGenerationItem): GenerationLibrary {
  if (library.items === null) return library;
  const index = library.items.findIndex((shown) => shown.id === item.id);
  if (index >= 0) return { ...library, items: library.items.map((shown, i) => (i === index ? item : shown)) };
  if (!matchesSearch(item, library.query.search)) return library;
  if (library.query.offset > 0) return { ...library, total: library.total + 1, newer: library.newer + 1 };
  return {
    ...library,
    items: [item, ...library.items].slice(0, LIBRARY_PAGE_SIZE),
    total: library.total + 1,
  };
}

/**
 * A listing answered. Clips stored while it was in flight (`arrivedMeanwhile`) that it does not
 * include — newer than its newest — are put on top as if they had arrived after it.
 */
export function applyListing(
  query: LibraryQuery,
  listing: { readonly items: readonly StoredGenerationItem[]; readonly total: number },
  arrivedMeanwhile: readonly StoredGenerationItem[],
): GenerationLibrary {
  let library: GenerationLibrary = {
    query,
    items: listing.items,
    total: listing.total,
    loading: false,
    error: null,
    newer: 0,
  };
  const newest = listing.items[0]?.id ?? 0;
  for (const item of arrivedMeanwhile) {
    if (item.id > newest || library.items?.some((shown) => shown.id === item.id)) library = insertStored(library, item);
  }
  return library;
}

/** `1–25 of 130`, `0 clips`. */
export function pageRangeText(library: GenerationLibrary): string {
  const shown = library.items?.length ?? 0;
  if (shown === 0) return library.total === 0 ? 'No clips' : `None of ${library.total} on this page`;
  const first = library.query.offset + 1;
  return `${first}–${library.query.offset + shown} of ${library.total}`;
}

/** Jobs still queued or running, in the order they were first seen; an ended job leaves the list. */
export function applyJobEvent(jobs: readonly GenerationEvent[], event: GenerationEvent): readonly GenerationEvent[] {
  const active = event.state === 'queued' || event.state === 'running';
  const index = jobs.findIndex((job) => job.id === event.id);
  if (index < 0) return active ? [...jobs, event] : jobs;
  return active ? jobs.map((job, i) => (i === index ? event : job)) : jobs.filter((_, i) => i !== index);
}
