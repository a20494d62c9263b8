/**
 * The nonce the host put in the page for inline styles that libraries inject (wavesurfer.js adds a
 * <style> to its shadow root). Both hosts write it into `<meta name="csp-nonce">` with the CSP
 * that allows it; without one (a page built before that), undefined, and the library's style is
 * refused by the CSP rather than the page failing.
 */
export function cspNonce(doc: Pick<Document, 'querySelector'> = document): string | undefined {
  const content = doc.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content;
  return content === undefined || content === '' ? undefined : content;
}
