/** Building signed requests for axon tests, with the dendrite's own request builder. */
import type { KeyringPair } from '@polkadot/keyring/types';
import {
  MusicGenerationSynapse,
  musicGeneration,
  type MusicGeneration,
} from '../../../src-shared/synapse/music-generation.js';
import { prepareRequest } from '../dendrite.js';

export interface SignedRequest {
  headers: Record<string, string>;
  body: Buffer;
}

export interface SignedRequestOptions {
  signer: KeyringPair;
  /** The axon hotkey the request is signed for. */
  axonHotkey: string;
  nonce: bigint;
  uuid: string;
  synapse?: MusicGeneration;
  timeoutSeconds?: number;
}

/** A request exactly as our dendrite would send it to 127.0.0.1. */
export function signedRequest(options: SignedRequestOptions): SignedRequest {
  const prepared = prepareRequest(
    MusicGenerationSynapse,
    options.synapse ?? musicGeneration({ text_input: 'lo-fi piano', duration: 755 }),
    { hotkey: options.axonHotkey, ip: '127.0.0.1', port: 8091 },
    { pair: options.signer, uuid: options.uuid, nonce: options.nonce, version: 10_002_000, externalIp: '203.0.113.7' },
    options.timeoutSeconds ?? 200,
  );
  const headers: Record<string, string> = Object.fromEntries(prepared.headers);
  headers['content-type'] = 'application/json';
  return { headers, body: prepared.body };
}
