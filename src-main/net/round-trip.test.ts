/** Our dendrite against our axon on loopback, with a fake miner that returns one second of audio. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyringPair } from '@polkadot/keyring/types';
import {
  MUSIC_SAMPLE_RATE,
  MusicGenerationSynapse,
  musicGeneration,
  type MusicGeneration,
} from '../../src-shared/synapse/music-generation.js';
import { PingSynapse, baseSynapseDefaults } from '../../src-shared/synapse/synapse.js';
import { Axon } from './axon.js';
import { Dendrite } from './dendrite.js';
import { FakeMetagraph, testKeys } from './testing/helpers.js';

let alice: KeyringPair;
let bob: KeyringPair;
let charlie: KeyringPair;
let dave: KeyringPair;
let axon: Axon;
let port: number;
const prompts: string[] = [];

/** One second of a 440 Hz sine at 32 kHz, as float32. */
const oneSecond = Float32Array.from(
  { length: MUSIC_SAMPLE_RATE },
  (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / MUSIC_SAMPLE_RATE),
);

beforeAll(async () => {
  ({ alice, bob, charlie, dave } = await testKeys());
  const metagraph = new FakeMetagraph().set(alice.address, 50_000n).set(charlie.address, 10n);
  axon = new Axon({ hotkey: bob, metagraph });
  axon.attach(MusicGenerationSynapse, async (synapse: MusicGeneration) => {
    prompts.push(synapse.text_input);
    return { ...synapse, music_output: oneSecond };
  });
  ({ port } = await axon.start({ port: 0, host: '127.0.0.1' }));
});

afterAll(() => axon.stop());

describe('dendrite ↔ axon round trip', () => {
  it('delivers one second of audio exactly, with 200 Success and a valid axon signature', async () => {
    const dendrite = new Dendrite({ hotkey: alice });
    const target = { hotkey: bob.address, ip: '127.0.0.1', port };
    const request = musicGeneration({ text_input: 'a calm piano over soft rain', duration: 50 });
    const result = await dendrite.callDetailed(target, request, { timeoutSeconds: 10 });
    const synapse = result.synapse;
    expect(synapse.dendrite.status_code).toBe(200);
    expect(synapse.dendrite.status_message).toBe('Success');
    expect(synapse.music_output).toBeInstanceOf(Float32Array);
    expect(synapse.music_output).toEqual(oneSecond);
    expect(synapse.text_input).toBe(request.text_input);
    expect(synapse.duration).toBe(50);
    expect(synapse.axon.process_time).toBeGreaterThanOrEqual(0);
    expect(synapse.dendrite.process_time).toBeGreaterThan(0);
    expect(synapse.dendrite.hotkey).toBe(alice.address);
    expect(result.axonSignature).toBe('valid');
    expect(prompts).toContain('a calm piano over soft rain');

    // Again on the same connection: a new, larger nonce, accepted.
    const again = await dendrite.query([target, target], request, { timeoutSeconds: 10 });
    expect(again.map((s) => s.dendrite.status_code)).toEqual([200, 200]);
    const nonces = [synapse, ...again].map((s) => s.dendrite.nonce ?? 0n);
    expect(new Set(nonces).size).toBe(3);
    dendrite.close();
  });

  it('reports an answer from a key other than the expected one as an invalid axon signature', async () => {
    const dendrite = new Dendrite({ hotkey: alice });
    // The chain says this axon is Charlie's: the request is signed for Charlie, so Bob's axon refuses it.
    const wrong = await dendrite.callDetailed(
      { hotkey: charlie.address, ip: '127.0.0.1', port },
      musicGeneration({ text_input: 'x' }),
    );
    expect(wrong.synapse.dendrite.status_code).toBe(401);
    expect(wrong.axonSignature).toBe('absent');
    dendrite.close();
  });

  it('gives refused validators the statuses BittAudio validators act on', async () => {
    const unregistered = new Dendrite({ hotkey: dave });
    const lowStake = new Dendrite({ hotkey: charlie });
    const target = { hotkey: bob.address, ip: '127.0.0.1', port };
    const [a] = await unregistered.query([target], musicGeneration({ text_input: 'x' }));
    const [b] = await lowStake.query([target], musicGeneration({ text_input: 'x' }));
    expect(a?.dendrite.status_code).toBe(403);
    expect(a?.dendrite.status_message).toBe('Forbidden. Key is blacklisted: Unrecognized hotkey.');
    expect(b?.dendrite.status_code).toBe(403);
    expect(b?.dendrite.status_message).toBe('Forbidden. Key is blacklisted: Low stake.');
    // The axon's error headers fill the axon side (§5.1 step 4): its signature, uuid, version.
    expect(b?.axon.signature).toMatch(/^0x[0-9a-f]{128}$/);
    expect(b?.axon.uuid).toBe(axon.uuid);
    unregistered.close();
    lowStake.close();
  });

  it('pings the built-in /Synapse route', async () => {
    const dendrite = new Dendrite({ hotkey: alice });
    const pong = await dendrite.call(
      { hotkey: bob.address, ip: '127.0.0.1', port },
      baseSynapseDefaults(PingSynapse.name),
    );
    expect(pong.dendrite.status_code).toBe(200);
    expect(pong.name).toBe('Synapse');
    dendrite.close();
  });
});
