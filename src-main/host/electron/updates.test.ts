/**
 * The update feed, read from a local HTTP server laid out like a generic feed (a folder with
 * electron-builder's latest*.yml beside the installers).
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { httpExecutor } from 'builder-util';
import { GenericProvider } from 'electron-updater/out/providers/GenericProvider.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../../src-shared/schemas/logs.js';
import { LogRoot } from '../../log/logger.js';
import { useTempDirs } from '../../testing/temp-dir.js';
import {
  checkUpdateFeed,
  feedFileName,
  isNewerVersion,
  packagedFeedUrl,
  parseUpdateFeed,
  startConfiguredUpdates,
  updateFeedUrl,
  UpdateFeedError,
} from './updates.js';

/** A latest.yml as electron-builder writes it. */
const LATEST = `version: 0.2.0
files:
  - url: BittAudio-0.2.0-linux-x86_64.AppImage
    sha512: 9HrVhZ3OhBSYiOwQIxTvuqB3ggEx1IgrlsLYHm+2ihDxQ8G6vrL5Bd0K2ma5mh0OCB1BFyWWyk8dJNEuC5nfQQ==
    size: 123456789
  - url: https://mirror.example.org/BittAudio-0.2.0.deb
    sha512: 4RhzbOvMDj0jlLwhcXzbJPMzm/6cFyJ7cOkTVlkPVj20aPEAUxdPyBV7I1QO0k0UMfajs8jVbxDSVTg1JwOcfw==
    size: 98765432
path: BittAudio-0.2.0-linux-x86_64.AppImage
sha512: 9HrVhZ3OhBSYiOwQIxTvuqB3ggEx1IgrlsLYHm+2ihDxQ8G6vrL5Bd0K2ma5mh0OCB1BFyWWyk8dJNEuC5nfQQ==
releaseDate: '2026-12-01T10:00:00.000Z'
`;

const routes = new Map<string, { status: number; body: string }>([
  ['/feed/latest-linux.yml', { status: 200, body: LATEST }],
  ['/feed/latest.yml', { status: 200, body: LATEST.replace('0.2.0', '0.3.0-beta.1') }],
  ['/feed/latest-mac.yml', { status: 200, body: 'version: [not, a, version' }],
  ['/feed/latest-linux-arm64.yml', { status: 200, body: 'version: 0.2.0\nfiles: []\n' }],
]);
const requested: string[] = [];
let server: Server;
let feedUrl: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    requested.push(request.url ?? '');
    const route = routes.get(request.url ?? '') ?? { status: 404, body: 'Not found' };
    response.writeHead(route.status, { 'Content-Type': 'text/yaml' }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed/`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const check = (platform: NodeJS.Platform, arch: string, currentVersion = '0.1.0', url = feedUrl) =>
  checkUpdateFeed({ feedUrl: url, currentVersion, platform, arch });

describe('update feed', () => {
  it('offers a newer version with its files as absolute URLs', async () => {
    const result = await check('linux', 'x64');
    expect(requested.at(-1)).toBe('/feed/latest-linux.yml');
    expect(result).toEqual({
      available: true,
      latest: '0.2.0',
      files: [
        {
          url: `${feedUrl}BittAudio-0.2.0-linux-x86_64.AppImage`,
          sha512: expect.stringMatching(/==$/),
          size: 123456789,
        },
        { url: 'https://mirror.example.org/BittAudio-0.2.0.deb', sha512: expect.any(String), size: 98765432 },
      ],
    });
  });

  it('offers nothing to a version that is as new or newer', async () => {
    expect(await check('linux', 'x64', '0.2.0')).toEqual({ available: false, latest: '0.2.0' });
    expect(await check('linux', 'x64', '1.0.0')).toEqual({ available: false, latest: '0.2.0' });
  });

  it('offers a pre-release only to someone already on one', async () => {
    expect(await check('win32', 'x64', '0.1.0')).toEqual({ available: false, latest: '0.3.0-beta.1' });
    expect(await check('win32', 'x64', '0.2.0-beta.3')).toMatchObject({ available: true, latest: '0.3.0-beta.1' });
  });

  it('says what is wrong with a broken feed, a missing file or an unreachable server', async () => {
    await expect(check('darwin', 'arm64')).rejects.toThrow(/not valid YAML/);
    await expect(check('linux', 'arm64')).rejects.toThrow(/incomplete: files/);
    await expect(check('linux', 'x64', '0.1.0', `${feedUrl}missing/`)).rejects.toThrow(/answered HTTP 404/);
    server.closeAllConnections();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(check('linux', 'x64', '0.1.0', deadUrl)).rejects.toThrow(UpdateFeedError);
  });
});

describe('electron-updater on the same feed', () => {
  it('reads the file this module reads and resolves the same installer URLs', async () => {
    // electron-updater's own generic provider, with Node's HTTP in place of Electron's net module.
    const seen: string[] = [];
    const feed = createServer((request, response) => {
      seen.push(request.url ?? '');
      response.writeHead(200, { 'Content-Type': 'text/yaml' }).end(LATEST);
    });
    await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/feed/`;
      const provider = new GenericProvider(
        { provider: 'generic', url },
        { channel: null, isAddNoCacheQuery: false } as unknown as ConstructorParameters<typeof GenericProvider>[1],
        // The provider only calls the executor's request(), which Node's executor has as well.
        {
          executor: httpExecutor,
          platform: 'linux',
          isUseMultipleRangeRequest: false,
        } as unknown as ConstructorParameters<typeof GenericProvider>[2],
      );
      const info = await provider.getLatestVersion();
      const ours = await checkUpdateFeed({
        feedUrl: url,
        currentVersion: '0.1.0',
        platform: 'linux',
        arch: process.arch,
      });
      expect(seen).toEqual([
        `/feed/${feedFileName('linux', process.arch)}`,
        `/feed/${feedFileName('linux', process.arch)}`,
      ]);
      expect(info.version).toBe(ours.latest);
      expect(provider.resolveFiles(info).map((file) => file.url.href)).toEqual(
        ours.available ? ours.files.map((file) => file.url) : [],
      );
    } finally {
      await new Promise<void>((resolve) => feed.close(() => resolve()));
    }
  });
});

describe('update feed parts', () => {
  it('reads the file electron-updater reads on each platform', () => {
    expect(feedFileName('win32', 'x64')).toBe('latest.yml');
    expect(feedFileName('darwin', 'arm64')).toBe('latest-mac.yml');
    expect(feedFileName('linux', 'x64')).toBe('latest-linux.yml');
    expect(feedFileName('linux', 'arm64')).toBe('latest-linux-arm64.yml');
  });

  it('parses versions YAML reads as numbers and rejects what is not semver', () => {
    const files = 'files:\n  - url: a.exe\n    sha512: abc\n';
    expect(() => parseUpdateFeed(`version: 1.2\n${files}`)).toThrow(/version is not a semantic version/);
    expect(parseUpdateFeed(`version: 1.2.3\n${files}`).version).toBe('1.2.3');
    expect(() => parseUpdateFeed(`version: latest\n${files}`)).toThrow(UpdateFeedError);
    expect(() => parseUpdateFeed('')).toThrow(/incomplete/);
    // An unquoted date comes back from YAML as a Date; it is kept as ISO text.
    expect(parseUpdateFeed(`version: 1.2.3\nreleaseDate: 2026-12-01T10:00:00Z\n${files}`).releaseDate).toBe(
      '2026-12-01T10:00:00.000Z',
    );
  });

  it('compares versions by semver, not as text', () => {
    expect(isNewerVersion('0.10.0', '0.9.0')).toBe(true);
    expect(isNewerVersion('0.9.0', '0.10.0')).toBe(false);
    expect(isNewerVersion('1.0.0', '1.0.0-rc.1')).toBe(true);
    expect(isNewerVersion('garbage', '0.1.0')).toBe(false);
  });

  it('is off unless configured, and accepts only https (http on loopback)', () => {
    expect(updateFeedUrl({})).toBeNull();
    expect(updateFeedUrl({ BITTAUDIO_UPDATE_URL: '  ' })).toBeNull();
    expect(updateFeedUrl({ BITTAUDIO_UPDATE_URL: 'https://dl.example.org/bittaudio?x=1#y' })).toBe(
      'https://dl.example.org/bittaudio/',
    );
    expect(updateFeedUrl({ BITTAUDIO_UPDATE_URL: 'http://127.0.0.1:8080/feed' })).toBe('http://127.0.0.1:8080/feed/');
    expect(() => updateFeedUrl({ BITTAUDIO_UPDATE_URL: 'http://dl.example.org/' })).toThrow(/must be an https URL/);
    expect(() => updateFeedUrl({ BITTAUDIO_UPDATE_URL: 'https://u:p@dl.example.org/' })).toThrow(/credentials/);
    expect(() => updateFeedUrl({ BITTAUDIO_UPDATE_URL: 'dl.example.org' })).toThrow(/is not a URL/);
  });

  it('reads the feed a package was built with from app-update.yml', () => {
    expect(packagedFeedUrl(null)).toBeNull();
    expect(packagedFeedUrl('provider: generic\nurl: https://dl.example.org/bittaudio\n')).toBe(
      'https://dl.example.org/bittaudio/',
    );
    // Another provider (electron-builder may detect GitHub) is not a feed this app follows.
    expect(packagedFeedUrl('provider: github\nowner: a\nrepo: b\n')).toBeNull();
    expect(() => packagedFeedUrl('provider: generic\nurl: http://dl.example.org/\n')).toThrow(/https/);
    expect(() => packagedFeedUrl('url: [')).toThrow(/not valid YAML/);
    expect(() => packagedFeedUrl('just text')).toThrow(/names no update provider/);
  });
});

describe('turning updates on', () => {
  const tempDir = useTempDirs();

  /** Runs startConfiguredUpdates with a recording `start` in place of electron-updater. */
  async function configure(env: NodeJS.ProcessEnv, packaged: boolean, appUpdateYml?: string) {
    const resources = tempDir();
    if (appUpdateYml !== undefined) writeFileSync(join(resources, 'app-update.yml'), appUpdateYml);
    const started: string[] = [];
    const lines: Omit<LogEntry, 'id'>[] = [];
    const outcome = await startConfiguredUpdates({
      env,
      packaged,
      resourcesPath: resources,
      log: new LogRoot((line) => lines.push(line)).logger('updates'),
      onDownloaded: () => undefined,
      start: ({ feedUrl }) => {
        started.push(feedUrl);
        return Promise.resolve(() => undefined);
      },
    });
    return { outcome, started, lines };
  }

  it('stays off with no feed anywhere, and in development ignores a packaged feed', async () => {
    expect(await configure({}, true)).toMatchObject({ outcome: 'off', started: [] });
    const yml = 'provider: generic\nurl: https://dl.example.org/b/\n';
    expect(await configure({}, false, yml)).toMatchObject({ outcome: 'off', started: [] });
  });

  it('follows the packaged feed, and the environment over it', async () => {
    const yml = 'provider: generic\nurl: https://dl.example.org/b/\n';
    expect(await configure({}, true, yml)).toMatchObject({ outcome: 'on', started: ['https://dl.example.org/b/'] });
    expect(await configure({ BITTAUDIO_UPDATE_URL: 'https://mirror.example.org/b' }, true, yml)).toMatchObject({
      outcome: 'on',
      started: ['https://mirror.example.org/b/'],
    });
  });

  it('logs a wrong setting and leaves updates off', async () => {
    const { outcome, started, lines } = await configure({ BITTAUDIO_UPDATE_URL: 'ftp://dl.example.org/' }, true);
    expect(outcome).toBe('misconfigured');
    expect(started).toEqual([]);
    expect(lines).toMatchObject([{ level: 'error', message: 'Automatic updates are off: the feed setting is wrong' }]);
  });
});
