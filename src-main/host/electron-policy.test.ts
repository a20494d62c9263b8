import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY,
  appAssetHeaders,
  isAllowedNavigation,
  isAppSender,
  isSafeExternalUrl,
  resolveAppAsset,
  secureWebPreferences,
} from './electron-policy.js';

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

  it('keeps navigation inside the app and opens only https links outside', () => {
    expect(isAllowedNavigation('app://bittaudio/index.html#/gpu')).toBe(true);
    expect(isAllowedNavigation('https://bittensor.com')).toBe(false);
    expect(isSafeExternalUrl('https://taostats.io/subnets/50')).toBe(true);
    expect(isSafeExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isSafeExternalUrl('javascript:alert(1)')).toBe(false);
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
});
