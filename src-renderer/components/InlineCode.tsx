import { Fragment, type ReactNode } from 'react';
import { splitInlineCode } from '../inline-code.js';

/** Engine text with `shell words` between backticks, shown with those words as code. */
export function InlineCode({ text }: { text: string }): ReactNode {
  return splitInlineCode(text).map((part, index) =>
    part.code ? <code key={index}>{part.text}</code> : <Fragment key={index}>{part.text}</Fragment>,
  );
}
