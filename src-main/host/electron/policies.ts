/**
 * The Electron shell's security decisions as plain functions, so they are unit-tested without an
 * Electron binary (anchors-desktop §4.1). External links have their own allowlist (shell.ts).
 */
import { extname, resolve, sep } from 'node:path';
import { readMedia, resolveMediaFile } from '../media.js';
import { securityHeaders } from '../security.js';

/** The renderer loads from a privileged custom scheme, never file:// and never a remote URL. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'bittaudio';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

export interface SecureWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webviewTag: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  spellcheck: false;
}

export function secureWebPreferences(preload: string): SecureWebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    spellcheck: false,
  };
}

/** The parts of Electron's WebFrameMain that the sender check reads. */
export interface SenderFrame {
  url: string;
  parent: unknown;
}

/**
 * An IPC message is served only when it comes from the app's own top-level page (Electron advisory
 * GHSA-mq8j-3h7h-p8g7: sub-frames could otherwise reach ipcRenderer).
 */
export function isAppSender(frame: SenderFrame | null | undefined): boolean {
  return !!frame && frame.parent === null && isAppUrl(frame.url);
}

/** Navigation stays inside the app; everything else is denied. */
export function isAllowedNavigation(url: string): boolean {
  return isAppUrl(url);
}

/** Compares scheme and host: Node's URL gives custom schemes an opaque origin ("null"). */
function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && !parsed.username && !parsed.password;
  } catch {
    return false;
  }
}

/**
 * Maps an app:// request to a file inside the renderer folder, or null for anything outside it
 * (path traversal, another host).
 */
export function resolveAppAsset(rendererDir: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const root = resolve(rendererDir);
  const file = resolve(root, `.${pathname === '/' ? '/index.html' : pathname}`);
  return file === root || !file.startsWith(root + sep) ? null : file;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.wav': 'audio/wav',
};

/** `styleNonce` for the page itself (index.html), as the daemon does: one CSP definition for both hosts. */
export function appAssetHeaders(file: string, options: { styleNonce?: string } = {}): Record<string, string> {
  return {
    ...securityHeaders(options),
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    ...(options.styleNonce ? { 'Cache-Control': 'no-store' } : {}),
  };
}

const MEDIA_ROUTE = '/media/';

/** The media path of an app:// URL (`generations/1.wav`), or null when the URL is not the media route. */
export function appMediaPath(requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || !url.pathname.startsWith(MEDIA_ROUTE)) return null;
  try {
    return decodeURIComponent(url.pathname.slice(MEDIA_ROUTE.length));
  } catch {
    return '';
  }
}

/** What the media handler reads of a request (Electron's protocol handler gets a fetch Request). */
export interface AppMediaRequest {
  url: string;
  method?: string;
  headers?: { get(name: string): string | null };
}

/**
 * The app:// media route: clips of the generation history, for the app's own pages only. app://
 * is reachable only from this session's pages (navigation never leaves the app), and a request
 * that says it comes from another origin or site is refused as well.
 */
export async function appMediaResponse(mediaDir: string, request: AppMediaRequest): Promise<Response> {
  const header = (name: string): string | undefined => request.headers?.get(name) ?? undefined;
  const origin = header('origin');
  const site = header('sec-fetch-site');
  if ((origin && origin !== APP_ORIGIN) || (site && site !== 'same-origin' && site !== 'none')) {
    return new Response('Forbidden', { status: 403, headers: securityHeaders() });
  }
  const file = resolveMediaFile(mediaDir, appMediaPath(request.url) ?? '');
  if (!file) return new Response('Not found', { status: 404, headers: securityHeaders() });
  const range = header('range');
  const reply = await readMedia(file, { ...(range ? { range } : {}), head: request.method === 'HEAD' });
  return new Response(reply.body ? new Uint8Array(reply.body) : null, {
    status: reply.status,
    headers: { ...securityHeaders(), ...reply.headers },
  });
}
