import type { ReactNode } from 'react';

export type Tone = 'ok' | 'warn' | 'error' | 'neutral';

/** A short state word in a pill; its colour repeats the word, never replaces it. */
export function Tag({ tone, children }: { tone: Tone; children: ReactNode }): ReactNode {
  return <span className={`tag tag--${tone}`}>{children}</span>;
}
