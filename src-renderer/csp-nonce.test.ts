import { describe, expect, it } from 'vitest';
import { cspNonce } from './csp-nonce.js';

/** A document holding at most one <meta name="csp-nonce">. */
function doc(content: string | null): Pick<Document, 'querySelector'> {
  return {
    querySelector: ((selector: string) =>
      selector === 'meta[name="csp-nonce"]' && content !== null ? { content } : null) as Document['querySelector'],
  };
}

describe('cspNonce', () => {
  it('reads the nonce the host put in the page', () => {
    expect(cspNonce(doc('r4nd0m'))).toBe('r4nd0m');
  });

  it('is undefined without one, or with an empty one', () => {
    expect(cspNonce(doc(null))).toBeUndefined();
    expect(cspNonce(doc(''))).toBeUndefined();
  });
});
