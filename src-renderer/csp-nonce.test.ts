import { describe, expect, it } from 'vitest';
import { cspNonce } from './csp-nonce.js';

/** A document that answers the one query the helper makes, from a list of meta tags. */
function page(metas: Record<string, string>): Pick<Document, 'querySelector'> {
  return {
    querySelector: ((selector: string) => {
      const name = /^meta\[name="([^"]+)"\]$/.exec(selector)?.[1];
      const content = name === undefined ? undefined : metas[name];
      return content === undefined ? null : { getAttribute: (attr: string) => (attr === 'content' ? content : null) };
    }) as Document['querySelector'],
  };
}

describe('cspNonce', () => {
  it('reads the nonce the host put into the page', () => {
    expect(cspNonce(page({ 'csp-nonce': 'q2xYbRi9zIVr6QtxkWqzlg==' }))).toBe('q2xYbRi9zIVr6QtxkWqzlg==');
  });

  it('is undefined for an unfilled tag, a page without one, and outside a browser', () => {
    expect(cspNonce(page({ 'csp-nonce': '' }))).toBeUndefined();
    expect(cspNonce(page({}))).toBeUndefined();
    expect(cspNonce(undefined)).toBeUndefined();
  });
});
