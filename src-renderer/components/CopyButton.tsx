import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';

/** How long "Copied" shows before the button reads "Copy" again. */
const FEEDBACK_MS = 2000;

type CopyState = 'idle' | 'copied' | 'failed';

/**
 * Copies `text` to the clipboard. Renders nothing where the Clipboard API is missing (a page
 * served over plain HTTP from another machine is not a secure context): the text stays there to
 * select by hand, and a button that cannot work would only mislead.
 */
export function CopyButton({ text, describedBy }: { text: string; describedBy?: string }): ReactNode {
  const [state, setState] = useState<CopyState>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), FEEDBACK_MS);
    return () => clearTimeout(timer);
  }, [state]);

  const clipboard = clipboardOf();
  if (clipboard === undefined) return null;

  async function copy(target: Clipboard): Promise<void> {
    try {
      await target.writeText(text);
      setState('copied');
    } catch {
      // Refused (no permission, or the window lost focus): say so rather than pretend.
      setState('failed');
    }
  }

  return (
    <button
      type="button"
      className={`button button--small copy copy--${state}`}
      aria-describedby={describedBy}
      onClick={() => void copy(clipboard)}
    >
      {/* Announced when it changes, so the outcome is heard as well as seen. */}
      <span aria-live="polite">{state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}</span>
    </button>
  );
}

/** Whether a CopyButton would show; for labels that make sense only beside one. */
export function canCopy(): boolean {
  return clipboardOf() !== undefined;
}

function clipboardOf(): Clipboard | undefined {
  if (typeof navigator === 'undefined') return undefined;
  // Typed as always present, but browsers leave it out of insecure contexts.
  const clipboard: Clipboard | undefined = navigator.clipboard;
  return clipboard;
}
