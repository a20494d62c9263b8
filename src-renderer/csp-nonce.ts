/**
 * The nonce of this page's Content-Security-Policy, for code that injects a <style> (wavesurfer.js
 * takes it as its `cspNonce` option). Both hosts fill `<meta name="csp-nonce">` in index.html
 * with a fresh nonce per response; undefined when the page came without one.
 */
export function cspNonce(doc: Pick<Document, 'querySelector'> | undefined = globalThis.document): string | undefined {
  const content = doc?.querySelector('meta[name="csp-nonce"]')?.getAttribute('content');
  return content ? content : undefined;
}
