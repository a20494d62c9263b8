import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../security.js';
import { useTempDirs } from '../../testing/temp-dir.js';
import {
  APP_ENTRY,
  appAssetHeaders,
  appMediaPath,
  appMediaResponse,
  isAllowedNavigation,
  isAppSender,
  resolveAppAsset,
  secureWebPreferences,
} from './policies.js';

describe('Electron window policy', () => {
  it('isolates and sandboxes the renderer with no Node access', () => {
    expect(secureWebPreferences('/app/preload.cjs')).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    });
  });

  it('serves IPC only to the app’s own top-level frame', () => {
    expect(isAppSender({ url: APP_ENTRY, parent: null })).toBe(true);
    expect(isAppSender({ url: 'app://bittaudio/index.html#/logs', parent: null })).toBe(true);
    expect(isAppSender({ url: APP_ENTRY, parent: {} })).toBe(false);
    expect(isAppSender({ url: 'https://evil.example/', parent: null })).toBe(false);
    expect(isAppSender({ url: 'app://other/index.html', parent: null })).toBe(false);
    expect(isAppSender({ url: 'file:///etc/passwd', parent: null })).toBe(false);
    expect(isAppSender(null)).toBe(false);
  });

  it('keeps navigation inside the app (links out are shell.ts’s allowlist)', () => {
    expect(isAllowedNavigation('app://bittaudio/index.html#/gpu')).toBe(true);
    expect(isAllowedNavigation('https://bittensor.com')).toBe(false);
    expect(isAllowedNavigation('app://other/index.html')).toBe(false);
  });

  it('maps app:// URLs into the renderer folder and nowhere else', () => {
    const root = '/opt/bittaudio/renderer';
    expect(resolveAppAsset(root, 'app://bittaudio/')).toBe(join(root, 'index.html'));
    expect(resolveAppAsset(root, 'app://bittaudio/assets/index-abc.js')).toBe(join(root, 'assets/index-abc.js'));
    expect(resolveAppAsset(root, 'app://bittaudio/../../etc/passwd')).toBe(join(root, 'etc/passwd'));
    // The URL parser folds dot segments (also %2e%2e) before we see the path: still inside root.
    expect(resolveAppAsset(root, 'app://bittaudio/%2e%2e/%2e%2e/etc/passwd')).toBe(join(root, 'etc/passwd'));
    expect(resolveAppAsset(root, 'app://bittaudio/..%2f..%2fetc%2fpasswd')).toBeNull();
    expect(resolveAppAsset(root, 'app://bittaudio/a%00b')).toBeNull();
    expect(resolveAppAsset(root, 'app://other/index.html')).toBeNull();
    expect(resolveAppAsset(root, 'https://bittaudio/index.html')).toBeNull();
  });

  it('sends a strict CSP and the right content type with every asset', () => {
    const headers = appAssetHeaders('/r/index.html');
    expect(headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(headers['Content-Security-Policy']).toContain("default-src 'self'");
    expect(headers['Content-Security-Policy']).not.toContain('unsafe-eval');
    expect(appAssetHeaders('/r/a.js')['Content-Type']).toMatch(/javascript/);
  });

  it('puts the page nonce into the same CSP the daemon sends, and keeps that page out of caches', () => {
    const headers = appAssetHeaders('/r/index.html', { styleNonce: 'bm9uY2U=' });
    expect(headers['Content-Security-Policy']).toBe(contentSecurityPolicy({ styleNonce: 'bm9uY2U=' }));
    expect(headers['Content-Security-Policy']).toContain("style-src 'self' 'nonce-bm9uY2U='");
    expect(headers['Cache-Control']).toBe('no-store');
    expect(appAssetHeaders('/r/a.js')['Content-Security-Policy']).toBe(contentSecurityPolicy());
  });
});

describe('the app:// media route', () => {
  const tempDir = useTempDirs();

  function mediaDir(): { dir: string; clip: Buffer } {
    const dir = join(tempDir(), 'generations');
    mkdirSync(dir);
    const clip = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    writeFileSync(join(dir, '7.wav'), clip);
    writeFileSync(join(dir, 'notes.txt'), 'private');
    return { dir, clip };
  }

  const request = (url: string, headers: Record<string, string> = {}) => ({ url, headers: new Headers(headers) });

  it('finds the media path of app:// URLs only', () => {
    expect(appMediaPath('app://bittaudio/media/generations/7.wav')).toBe('generations/7.wav');
    expect(appMediaPath('app://bittaudio/index.html')).toBeNull();
    expect(appMediaPath('app://elsewhere/media/generations/7.wav')).toBeNull();
    expect(appMediaPath('https://bittaudio/media/generations/7.wav')).toBeNull();
  });

  it('serves a clip whole and by range, as the daemon does', async () => {
    const { dir, clip } = mediaDir();
    const whole = await appMediaResponse(dir, request('app://bittaudio/media/generations/7.wav'));
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('audio/wav');
    expect(whole.headers.get('cache-control')).toBe('no-store');
    expect(Buffer.from(await whole.arrayBuffer()).equals(clip)).toBe(true);
    const part = await appMediaResponse(
      dir,
      request('app://bittaudio/media/generations/7.wav', { Range: 'bytes=10-19' }),
    );
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 10-19/1000');
    expect(Buffer.from(await part.arrayBuffer()).equals(clip.subarray(10, 20))).toBe(true);
  });

  it('refuses requests from other origins and anything but history clips', async () => {
    const { dir } = mediaDir();
    const url = 'app://bittaudio/media/generations/7.wav';
    expect((await appMediaResponse(dir, request(url, { Origin: 'https://evil.example' }))).status).toBe(403);
    expect((await appMediaResponse(dir, request(url, { 'Sec-Fetch-Site': 'cross-site' }))).status).toBe(403);
    expect((await appMediaResponse(dir, request(url, { Origin: 'app://bittaudio' }))).status).toBe(200);
    for (const path of ['generations/notes.txt', 'generations/..%2f..%2fx.wav', 'generations/8.wav']) {
      expect((await appMediaResponse(dir, request(`app://bittaudio/media/${path}`))).status).toBe(404);
    }
  });
});
