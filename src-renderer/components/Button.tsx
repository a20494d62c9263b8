import type { ButtonHTMLAttributes, ReactNode } from 'react';

/**
 * The app's button: `type="button"` unless told (a button in a form must not submit it by
 * accident), the house style, and a test id. Its text is its accessible name: say the action.
 */
export function Button({
  small = false,
  testId,
  className,
  type = 'button',
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { small?: boolean; testId?: string }): ReactNode {
  const classes = ['button', small ? 'button--small' : '', className ?? ''].filter(Boolean).join(' ');
  return <button {...rest} type={type} className={classes} data-testid={testId} />;
}
