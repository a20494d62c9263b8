/**
 * The app:// scheme: the renderer's files and the history's clips, served from the main process
 * so the page never loads from file:// or a remote URL (policies.ts decides what is served).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Protocol } from 'electron';
import { createNonce, pageWithNonce } from '../security.js';
import { APP_SCHEME, appAssetHeaders, appMediaPath, appMediaResponse, resolveAppAsset } from './policies.js';

/** Must run before `ready`: app:// behaves like a secure, standard origin. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
}

/** Answers one app:// request: a clip of the history, a renderer file, or 404. */
export async function appResponse(
  request: Request,
  folders: { rendererDir: string; mediaDir: string },
): Promise<Response> {
  if (appMediaPath(request.url) !== null) return appMediaResponse(folders.mediaDir, request);
  const file = resolveAppAsset(folders.rendererDir, request.url);
  if (!file) return new Response('Not found', { status: 404 });
  try {
    if (basename(file) === 'index.html') {
      // A fresh nonce per page load, in the CSP and where the renderer reads it (wavesurfer's style).
      const nonce = createNonce();
      const page = pageWithNonce(await readFile(file, 'utf8'), nonce);
      return new Response(page, { headers: appAssetHeaders(file, { styleNonce: nonce }) });
    }
    return new Response(await readFile(file), { headers: appAssetHeaders(file) });
  } catch {
    return new Response('Not found', { status: 404 });
  }
}

/** Serves app:// (after `ready`). */
export function serveApp(
  protocol: Pick<Protocol, 'handle'>,
  folders: { rendererDir: string; mediaDir: () => string },
): void {
  protocol.handle(APP_SCHEME, (request) =>
    appResponse(request, { rendererDir: folders.rendererDir, mediaDir: folders.mediaDir() }),
  );
}
