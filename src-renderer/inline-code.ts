/**
 * The engine writes its explanations as plain text with shell words between backticks
 * (`npm run cuda:install`), so that they read well in a terminal too. The UI shows those words as
 * code; this splits the text without interpreting anything else in it.
 */
export interface TextPart {
  readonly code: boolean;
  readonly text: string;
}

export function splitInlineCode(text: string): TextPart[] {
  const pieces = text.split('`');
  // An odd number of pieces means the backticks pair up; otherwise the last one is unpaired and
  // stays in the text as it was.
  const paired = pieces.length % 2 === 1 ? pieces : [...pieces.slice(0, -2), `${pieces.at(-2)}\`${pieces.at(-1)}`];
  return paired.map((piece, index) => ({ code: index % 2 === 1, text: piece })).filter((part) => part.text !== '');
}
