/**
 * Links the app hands to the system browser. Only https links to a short list of hosts leave the
 * app: a page that was tricked into opening a link (a prompt or a miner name rendered as a link,
 * a compromised dependency) cannot send the user to an arbitrary site or hand an `smb:` or
 * `file:` URL to the operating system (Electron security checklist §15).
 */
import type { Logger } from '../../log/logger.js';

/** Hosts (and their subdomains) the app links to: explorers, docs, model hub, sources, licences. */
export const EXTERNAL_HOSTS: readonly string[] = [
  'taostats.io',
  'bittensor.com',
  'docs.learnbittensor.org',
  'github.com',
  'huggingface.co',
  'creativecommons.org',
];

/** True when `url` is an https link, without credentials or an odd port, to an allowed host. */
export function isAllowedExternalUrl(url: string, hosts: readonly string[] = EXTERNAL_HOSTS): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password || parsed.port) return false;
  // URL lower-cases the host and folds IDNs to punycode, so an exact match is enough.
  const host = parsed.hostname.replace(/\.$/, '');
  return hosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`));
}

/** What the window-open handler answers Electron. */
export type WindowOpenAnswer = { action: 'deny' };

/**
 * The handler for `webContents.setWindowOpenHandler`: the app opens no windows of its own; an
 * allowed link goes to the system browser, anything else is logged and dropped.
 */
export function externalLinkHandler(
  openExternal: (url: string) => Promise<void>,
  log: Logger,
): (details: { url: string }) => WindowOpenAnswer {
  return ({ url }) => {
    if (isAllowedExternalUrl(url)) {
      openExternal(url).catch((error: unknown) =>
        log.warn('The system browser did not open a link', { url, error: String(error) }),
      );
    } else {
      log.warn('Blocked a link to a host outside the allowlist', { url: url.slice(0, 200) });
    }
    return { action: 'deny' };
  };
}
