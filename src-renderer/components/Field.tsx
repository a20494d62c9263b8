import { useId } from 'react';
import type { ReactNode } from 'react';

/** What a Field hands its control so that the label and the help text belong to it. */
export interface FieldControlProps {
  id: string;
  'aria-describedby'?: string;
}

/**
 * A label, a control and its help, tied together by ids: every control has a name a screen
 * reader says, and its help is read with it.
 */
export function Field({
  label,
  help,
  children,
}: {
  label: string;
  help?: ReactNode;
  children: (control: FieldControlProps) => ReactNode;
}): ReactNode {
  const id = useId();
  const helpId = `${id}-help`;
  return (
    <div className="setting">
      <label className="field" htmlFor={id}>
        {label}
      </label>
      {children(help === undefined ? { id } : { id, 'aria-describedby': helpId })}
      {help !== undefined && (
        <p className="setting__help" id={helpId}>
          {help}
        </p>
      )}
    </div>
  );
}
