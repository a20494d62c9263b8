/**
 * Auto-update from a generic feed (a folder on any web server holding electron-builder's
 * `latest*.yml` and the installers), off unless a feed is configured. Reading and judging the feed
 * is plain code here, tested against a local HTTP server; electron-updater does the download,
 * the signature and hash checks and the install, and is loaded only when a feed is set.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load, YAMLException } from 'js-yaml';
import semver from 'semver';
import { z } from 'zod';
import type { Logger } from '../../log/logger.js';

/** Where the feed is configured: `BITTAUDIO_UPDATE_URL=https://downloads.example.org/bittaudio/`. */
export const UPDATE_URL_ENV = 'BITTAUDIO_UPDATE_URL';

export class UpdateFeedError extends Error {
  override readonly name = 'UpdateFeedError';
}

/**
 * The feed's base URL from the environment, or null (updates off). Only https, except on
 * loopback for a local test server: an update is code that runs with the user's rights.
 */
export function updateFeedUrl(env: NodeJS.ProcessEnv = process.env): string | null {
  const raw = env[UPDATE_URL_ENV]?.trim();
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UpdateFeedError(`${UPDATE_URL_ENV} is not a URL: "${raw.slice(0, 200)}"`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new UpdateFeedError(`${UPDATE_URL_ENV} must be an https URL (http only on loopback), not ${url.protocol}`);
  }
  if (url.username || url.password) throw new UpdateFeedError(`${UPDATE_URL_ENV} must not carry credentials`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url.href;
}

/**
 * The feed a package was built with: `npm run dist` with BITTAUDIO_UPDATE_URL writes
 * `app-update.yml` (provider generic, url) into the app's resources. Null for no file or another
 * provider; a broken file is an error, as is a URL that updateFeedUrl would refuse.
 */
export function packagedFeedUrl(appUpdateYml: string | null): string | null {
  if (appUpdateYml === null) return null;
  let config: unknown;
  try {
    config = load(appUpdateYml);
  } catch (error) {
    const reason = error instanceof YAMLException ? error.reason : String(error);
    throw new UpdateFeedError(`app-update.yml is not valid YAML: ${reason}`);
  }
  const parsed = z.object({ provider: z.string(), url: z.string().optional() }).safeParse(config);
  if (!parsed.success) throw new UpdateFeedError('app-update.yml names no update provider');
  if (parsed.data.provider !== 'generic' || !parsed.data.url) return null;
  return updateFeedUrl({ [UPDATE_URL_ENV]: parsed.data.url });
}

/**
 * The file electron-updater reads for this platform (its Provider.getChannelFilePrefix):
 * latest.yml (Windows), latest-mac.yml, latest-linux.yml, latest-linux-arm64.yml.
 */
export function feedFileName(platform: NodeJS.Platform, arch: string): string {
  if (platform === 'darwin') return 'latest-mac.yml';
  if (platform === 'linux') return `latest-linux${arch === 'x64' ? '' : `-${arch}`}.yml`;
  return 'latest.yml';
}

const SemverSchema = z
  .string()
  .refine((v) => semver.valid(v) !== null, { message: 'is not a semantic version (like 1.2.3)' });

/** electron-builder's update info (`latest.yml`), the fields an update needs. */
export const UpdateInfoSchema = z.object({
  // YAML reads 1.2 as a number; electron-builder quotes nothing, so a number is taken as text.
  version: z.preprocess((v) => (typeof v === 'number' ? String(v) : v), SemverSchema),
  files: z
    .array(
      z.object({
        url: z.string().min(1),
        sha512: z.string().min(1),
        size: z.number().int().positive().optional(),
      }),
    )
    .min(1),
  releaseDate: z.preprocess((v) => (v instanceof Date ? v.toISOString() : v), z.string()).optional(),
  releaseNotes: z.string().nullable().optional(),
});
export type UpdateInfo = z.infer<typeof UpdateInfoSchema>;

/** Parses a `latest*.yml`; a broken or incomplete feed is an error that says what is wrong. */
export function parseUpdateFeed(text: string): UpdateInfo {
  let data: unknown;
  try {
    data = load(text);
  } catch (error) {
    const reason = error instanceof YAMLException ? error.reason : String(error);
    throw new UpdateFeedError(`The update feed is not valid YAML: ${reason}`);
  }
  const parsed = UpdateInfoSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'feed'} ${i.message}`).join('; ');
    throw new UpdateFeedError(`The update feed is incomplete: ${issues}`);
  }
  return parsed.data;
}

/**
 * Whether `candidate` should replace `current`: newer by semver, and a pre-release only for
 * someone already on a pre-release (electron-updater's allowPrerelease default).
 */
export function isNewerVersion(candidate: string, current: string): boolean {
  if (!semver.valid(candidate) || !semver.valid(current)) return false;
  if (semver.prerelease(candidate) && !semver.prerelease(current)) return false;
  return semver.gt(candidate, current);
}

export type UpdateCheck =
  | { available: false; latest: string }
  | { available: true; latest: string; files: { url: string; sha512: string; size?: number }[] };

/** Reads the feed and says whether it offers a newer version, with its files' absolute URLs. */
export async function checkUpdateFeed(options: {
  feedUrl: string;
  currentVersion: string;
  platform: NodeJS.Platform;
  arch: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): Promise<UpdateCheck> {
  const file = new URL(feedFileName(options.platform, options.arch), options.feedUrl);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(file, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      headers: { 'Cache-Control': 'no-cache' },
    });
  } catch (error) {
    throw new UpdateFeedError(`The update feed ${file.href} cannot be reached: ${String(error)}`);
  }
  if (!response.ok) throw new UpdateFeedError(`The update feed ${file.href} answered HTTP ${response.status}`);
  const info = parseUpdateFeed(await response.text());
  if (!isNewerVersion(info.version, options.currentVersion)) return { available: false, latest: info.version };
  return {
    available: true,
    latest: info.version,
    // File names in the feed are relative to the feed's folder; an absolute URL stays as is.
    files: info.files.map((f) => ({ ...f, url: new URL(f.url, options.feedUrl).href })),
  };
}

/** Six hours: releases are rare, and a check costs the feed server a request per user. */
export const UPDATE_CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000;

/**
 * Starts electron-updater on the feed: download in the background, install on the next quit, and
 * say so in the log and through `onDownloaded` (main.ts turns it into a notification).
 */
export async function startAutoUpdates(options: {
  feedUrl: string;
  log: Logger;
  onDownloaded: (version: string) => void;
}): Promise<() => void> {
  const { log } = options;
  // electron-updater defines autoUpdater as a getter Node's CJS import cannot see as a named export.
  const module = await import('electron-updater');
  const updater = module.default.autoUpdater;
  updater.logger = {
    info: (message?: unknown) => log.info(String(message)),
    warn: (message?: unknown) => log.warn(String(message)),
    error: (message?: unknown) => log.error(String(message)),
    debug: (message: string) => log.debug(message),
  };
  updater.setFeedURL({ provider: 'generic', url: options.feedUrl });
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = true;
  updater.on('update-downloaded', (info) => {
    log.info('An update was downloaded; it installs when BittAudio quits', { version: info.version });
    options.onDownloaded(info.version);
  });
  const check = (): void => {
    updater.checkForUpdates().catch((error: unknown) => log.warn('Update check failed', { error: String(error) }));
  };
  check();
  const timer = setInterval(check, UPDATE_CHECK_INTERVAL_MS);
  timer.unref();
  log.info('Automatic updates are on', { feed: options.feedUrl });
  return () => clearInterval(timer);
}

/** electron-builder's app-update.yml in the package's resources, or null when it wrote none. */
function readAppUpdateConfig(resourcesPath: string): string | null {
  try {
    return readFileSync(join(resourcesPath, 'app-update.yml'), 'utf8');
  } catch {
    return null;
  }
}

/**
 * Starts automatic updates when a feed is configured: BITTAUDIO_UPDATE_URL, else (in a package)
 * the feed `npm run dist` wrote into app-update.yml. Says what it did; a wrong setting is logged
 * and leaves updates off rather than stopping the app.
 */
export async function startConfiguredUpdates(options: {
  env: NodeJS.ProcessEnv;
  packaged: boolean;
  resourcesPath: string;
  log: Logger;
  onDownloaded: (version: string) => void;
  start?: typeof startAutoUpdates;
}): Promise<'off' | 'misconfigured' | 'failed' | 'on'> {
  const { log } = options;
  let feedUrl: string | null;
  try {
    // The environment wins over the feed the package was built with (a test feed, a mirror).
    feedUrl =
      updateFeedUrl(options.env) ??
      (options.packaged ? packagedFeedUrl(readAppUpdateConfig(options.resourcesPath)) : null);
  } catch (error) {
    log.error('Automatic updates are off: the feed setting is wrong', { error: String(error) });
    return 'misconfigured';
  }
  if (!feedUrl) return 'off';
  try {
    await (options.start ?? startAutoUpdates)({ feedUrl, log, onDownloaded: options.onDownloaded });
    return 'on';
  } catch (error) {
    log.error('Automatic updates could not start', { error: String(error) });
    return 'failed';
  }
}
