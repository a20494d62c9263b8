import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../../src-shared/schemas/logs.js';
import { LogRoot } from '../../log/logger.js';
import { externalLinkHandler, isAllowedExternalUrl } from './shell.js';

describe('external links', () => {
  it('opens https links to allowed hosts and their subdomains', () => {
    expect(isAllowedExternalUrl('https://taostats.io/subnets/50')).toBe(true);
    expect(isAllowedExternalUrl('https://www.taostats.io/')).toBe(true);
    expect(isAllowedExternalUrl('https://huggingface.co/facebook/musicgen-medium')).toBe(true);
    expect(isAllowedExternalUrl('https://GitHub.com/opentensor/subtensor')).toBe(true);
    expect(isAllowedExternalUrl('https://creativecommons.org/licenses/by/4.0/')).toBe(true);
  });

  it('refuses other schemes, other hosts, look-alikes, credentials and ports', () => {
    for (const url of [
      'http://taostats.io/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://taostats.io/share',
      'https://evil.example/',
      'https://taostats.io.evil.example/',
      'https://eviltaostats.io/',
      'https://user:pw@github.com/',
      'https://github.com@evil.example/',
      'https://github.com:8443/',
      'not a url',
      '',
    ]) {
      expect(isAllowedExternalUrl(url), url).toBe(false);
    }
  });

  it('takes its host list as a parameter', () => {
    expect(isAllowedExternalUrl('https://example.org/x', ['example.org'])).toBe(true);
    expect(isAllowedExternalUrl('https://taostats.io/', ['example.org'])).toBe(false);
  });

  it('hands allowed links to the system browser, logs the rest, and never opens a window', async () => {
    const lines: Omit<LogEntry, 'id'>[] = [];
    const opened: string[] = [];
    const handler = externalLinkHandler(
      (url) => {
        opened.push(url);
        return url.includes('fail') ? Promise.reject(new Error('no browser')) : Promise.resolve();
      },
      new LogRoot((line) => lines.push(line)).logger('test'),
    );
    expect(handler({ url: 'https://taostats.io/' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'https://github.com/fail' })).toEqual({ action: 'deny' });
    await new Promise((r) => setImmediate(r));
    expect(opened).toEqual(['https://taostats.io/', 'https://github.com/fail']);
    expect(lines.map((l) => l.message)).toEqual([
      'Blocked a link to a host outside the allowlist',
      'The system browser did not open a link',
    ]);
  });
});
