import type { ReactNode } from 'react';

export type Tone = 'ok' | 'warn' | 'error' | 'neutral';

/** A short state word in a pill; its colour repeats the word, never replaces it. */
export function Tag({ tone, children, testId }: { tone: Tone; children: ReactNode; testId?: string }): ReactNode {
  return (
    <span className={`tag tag--${tone}`} data-testid={testId}>
      {children}
    </span>
  );
}
