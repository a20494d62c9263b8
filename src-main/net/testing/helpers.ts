/** Test helpers for the axon and dendrite: keys, a metagraph double, a settable clock, raw HTTP. */
import { request, type Agent } from 'node:http';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { RAO_PER_TAO } from '../../../src-shared/domain/units.js';
import type { Logger } from '../../log/logger.js';
import type { Caller, MetagraphProvider } from '../blacklist.js';
import type { WallClock } from '../clock.js';

export async function testKeys(): Promise<{
  alice: KeyringPair;
  bob: KeyringPair;
  charlie: KeyringPair;
  dave: KeyringPair;
}> {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  return {
    alice: keyring.addFromUri('//Alice'),
    bob: keyring.addFromUri('//Bob'),
    charlie: keyring.addFromUri('//Charlie'),
    dave: keyring.addFromUri('//Dave'),
  };
}

/** A metagraph double: hotkey → caller. */
export class FakeMetagraph implements MetagraphProvider {
  private readonly callers = new Map<string, Caller>();
  lookups = 0;

  set(hotkey: string, stakeAlpha: bigint, options: { validatorPermit?: boolean; uid?: number } = {}): this {
    this.callers.set(hotkey, {
      hotkey,
      uid: options.uid ?? this.callers.size,
      stake: stakeAlpha * RAO_PER_TAO,
      validatorPermit: options.validatorPermit ?? true,
    });
    return this;
  }

  caller(hotkey: string): Caller | undefined {
    this.lookups++;
    return this.callers.get(hotkey);
  }
}

/** A clock tests move by hand. */
export class ManualClock {
  constructor(public nowNs: bigint) {}
  readonly read: WallClock = () => this.nowNs;
  advanceSeconds(seconds: number): void {
    this.nowNs += BigInt(Math.round(seconds * 1e9));
  }
}

export interface RawReply {
  status: number;
  headers: Map<string, string>;
  /** Header names in the order they arrived, lowercased. */
  headerNames: string[];
  rawHeaders: string[];
  body: Buffer;
}

/** A raw POST (or any method) with exactly these headers; resolves with the undecoded reply. */
export function rawRequest(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string; agent?: Agent } = {},
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'POST',
        headers: options.headers,
        agent: options.agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const headers = new Map<string, string>();
          const headerNames: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = (res.rawHeaders[i] as string).toLowerCase();
            headers.set(name, res.rawHeaders[i + 1] as string);
            headerNames.push(name);
          }
          resolve({
            status: res.statusCode ?? 0,
            headers,
            headerNames,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface CapturedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

/** A Logger that keeps its lines, for assertions. */
export function captureLogger(): { logger: Logger; lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  const make = (): Logger => ({
    debug: (message, fields) => void lines.push({ level: 'debug', message, fields }),
    info: (message, fields) => void lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => void lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => void lines.push({ level: 'error', message, fields }),
    child: () => make(),
  });
  return { logger: make(), lines };
}
