import { useId } from 'react';
import type { ReactNode } from 'react';
import { CopyButton } from './CopyButton.js';

/** A shell command to run, as a code block with a copy button that names what it copies. */
export function Command({ command }: { command: string }): ReactNode {
  const codeId = useId();
  return (
    <div className="command">
      <pre className="command__text">
        <code id={codeId}>{command}</code>
      </pre>
      <CopyButton text={command} describedBy={codeId} />
    </div>
  );
}
