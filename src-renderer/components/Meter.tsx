import { useId } from 'react';
import type { ReactNode } from 'react';

/**
 * A labelled bar with its value in words; without both numbers only the words show, since an
 * empty bar would read as 0. A native <meter>: accessible as it is, and styled without inline
 * styles, which the Content-Security-Policy (style-src 'self') would refuse.
 */
export function Meter({
  label,
  value,
  max,
  text,
  testId,
}: {
  label: string;
  value: number | null;
  max: number | null;
  text: string;
  testId?: string;
}): ReactNode {
  const labelId = useId();
  const measurable = value !== null && max !== null && max > 0;
  return (
    <div className="meter" data-testid={testId}>
      <div className="meter__head">
        <span id={labelId}>{label}</span>
        <span className="meter__text">{text}</span>
      </div>
      {measurable && (
        <meter className="meter__bar" aria-labelledby={labelId} min={0} max={max} value={Math.min(value, max)}>
          {text}
        </meter>
      )}
    </div>
  );
}
