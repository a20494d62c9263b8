/**
 * The miner on the in-process devnet: a real axon on loopback, real sr25519 signatures from a
 * validator's dendrite, the tiny MusicGen model, and serve_axon on the devnet chain.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { musicGeneration } from '../../src-shared/synapse/music-generation.js';
import { RAO_PER_TAO } from '../chain/units.js';
import { createDemoDevnet, type DemoDevnet, type RegisteredParticipant } from '../devnet/index.js';
import { MusicgenGenerator } from '../inference/generate/musicgen.js';
import { LogRoot } from '../log/logger.js';
import { Dendrite } from '../net/dendrite.js';
import { Miner, MinerError, type MinerRequestRecord } from './miner.js';

const TINY = { dir: join(import.meta.dirname, '..', '..', 'models', 'tiny', 'musicgen'), dtype: 'fp32' as const };
// The chain refuses 127.0.0.1 (subtensor's rule); Linux routes all of 127/8 to the loopback.
const LOCAL_IP = '127.0.0.2';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

function firstMiner(devnet: DemoDevnet): RegisteredParticipant {
  const [first] = devnet.miners;
  if (!first) throw new Error('the demo devnet has no miner');
  return first;
}

async function network(): Promise<DemoDevnet> {
  // A validator with the stake BittAudio's blacklist asks for (10 000 alpha).
  return createDemoDevnet({ miners: 2, validatorStake: 20_000n * RAO_PER_TAO });
}

function miner(devnet: DemoDevnet, hotkey = firstMiner(devnet).hotkey, records: MinerRequestRecord[] = []): Miner {
  const instance = new Miner({
    chain: devnet.chain,
    netuid: devnet.netuid,
    hotkey,
    generator: new MusicgenGenerator(TINY),
    log: new LogRoot(() => undefined).logger('miner'),
    axon: { port: 0, host: LOCAL_IP, externalIp: LOCAL_IP },
    onRequest: (record) => records.push(record),
  });
  stops.push(() => instance.stop());
  return instance;
}

describe('Miner', () => {
  it('refuses to start with an unregistered hotkey and says what registering costs and how', async () => {
    const devnet = await network();
    const error = await miner(devnet, devnet.spare.hotkey)
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MinerError);
    expect((error as MinerError).code).toBe('not_registered');
    expect((error as MinerError).message).toMatch(
      new RegExp(
        `${devnet.spare.hotkey.address} is not registered on subnet 50\\. Registering burns [\\d.]+ TAO .*wallet register --netuid 50`,
      ),
    );
  });

  it('serves its axon on chain and answers a validator’s signed request with music', { timeout: 60_000 }, async () => {
    const devnet = await network();
    const records: MinerRequestRecord[] = [];
    const bob = firstMiner(devnet);
    const status = await miner(devnet, bob.hotkey, records).start();
    expect(status).toMatchObject({ uid: bob.uid, servedOnChain: true, axon: { externalIp: LOCAL_IP } });
    const onChain = (await devnet.chain.metagraph(devnet.netuid)).neurons.find((n) => n.uid === bob.uid)?.axon;
    expect(onChain).toMatchObject({ ip: LOCAL_IP, port: status.axon.port });

    const dendrite = new Dendrite({ hotkey: devnet.validator.hotkey });
    const answer = await dendrite.call(
      { hotkey: bob.hotkey.address, ip: LOCAL_IP, port: status.axon.port },
      musicGeneration({ text_input: 'lo-fi beat with mellow piano', duration: 28 }),
      { timeoutSeconds: 30 },
    );
    expect(answer.dendrite.status_code).toBe(200);
    expect(answer.music_output).toHaveLength((28 - 3) * 640);
    expect(records).toMatchObject([
      {
        caller: devnet.validator.hotkey.address,
        prompt: 'lo-fi beat with mellow piano',
        durationTokens: 28,
        status: 'ok',
      },
    ]);
  });

  it('turns away a caller that is not registered, before any generation', { timeout: 60_000 }, async () => {
    const devnet = await network();
    const records: MinerRequestRecord[] = [];
    const bob = firstMiner(devnet);
    const status = await miner(devnet, bob.hotkey, records).start();
    const stranger = new Dendrite({ hotkey: devnet.spare.hotkey });
    const answer = await stranger.call(
      { hotkey: bob.hotkey.address, ip: LOCAL_IP, port: status.axon.port },
      musicGeneration({ text_input: 'free music please', duration: 10 }),
      { timeoutSeconds: 10 },
    );
    expect(answer.dendrite.status_code).toBe(403);
    expect(answer.dendrite.status_message).toMatch(/blacklisted: Unrecognized hotkey/);
    expect(records).toEqual([]);
  });

  it('refuses at once a request it cannot finish before the caller’s timeout', { timeout: 60_000 }, async () => {
    const devnet = await network();
    const records: MinerRequestRecord[] = [];
    const bob = firstMiner(devnet);
    const status = await miner(devnet, bob.hotkey, records).start();
    const dendrite = new Dendrite({ hotkey: devnet.validator.hotkey });
    // 1 500 tokens at the scheduler's assumed real-time rate take 30 s: not within a 2 s timeout.
    const answer = await dendrite.call(
      { hotkey: bob.hotkey.address, ip: LOCAL_IP, port: status.axon.port },
      musicGeneration({ text_input: 'a long piece', duration: 1500 }),
      { timeoutSeconds: 2 },
    );
    expect(answer.dendrite.status_code).toBe(503);
    expect(records).toMatchObject([
      { status: 'failed', error: expect.stringMatching(/1500 tokens cannot be generated within the [\d.]+ s left/) },
    ]);
  });

  it('does not serve again on a restart with the same address', { timeout: 60_000 }, async () => {
    const devnet = await network();
    const first = miner(devnet);
    const { axon } = await first.start();
    await first.stop();
    const again = new Miner({
      chain: devnet.chain,
      netuid: devnet.netuid,
      hotkey: firstMiner(devnet).hotkey,
      generator: new MusicgenGenerator(TINY),
      log: new LogRoot(() => undefined).logger('miner'),
      axon: { port: axon.port, host: LOCAL_IP, externalIp: LOCAL_IP },
    });
    stops.push(() => again.stop());
    expect((await again.start()).servedOnChain).toBe(false);
  });

  it(
    'announces a changed detected address again, once the serving rate limit allows',
    { timeout: 60_000 },
    async () => {
      const devnet = await network();
      const bob = firstMiner(devnet);
      let detected = LOCAL_IP;
      const announced: string[] = [];
      const instance = new Miner({
        chain: devnet.chain,
        netuid: devnet.netuid,
        hotkey: bob.hotkey,
        generator: new MusicgenGenerator(TINY),
        log: new LogRoot(() => undefined).logger('miner'),
        axon: { port: 0, host: LOCAL_IP, externalIp: LOCAL_IP, detectExternalIp: () => detected },
        refreshBlocks: 1,
        onAddress: (status) => announced.push(status.axon.externalIp),
      });
      stops.push(() => instance.stop());
      devnet.chain.advance(1); // a serve at block 0 is exempt from the rate limit
      const { axon } = await instance.start();
      const onChain = async (): Promise<string | undefined> =>
        (await devnet.chain.metagraph(devnet.netuid)).neurons.find((n) => n.uid === bob.uid)?.axon.ip;

      // Unchanged: nothing is announced again.
      devnet.chain.advance(2);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(announced).toEqual([]);

      detected = '127.0.0.3';
      const limit = (await devnet.chain.hyperparameters(devnet.netuid)).servingRateLimit;
      const seen: (string | undefined)[] = [];
      for (let i = 0; i <= limit + 2 && (await onChain()) !== detected; i++) {
        devnet.chain.advance(1);
        await new Promise((resolve) => setTimeout(resolve, 50));
        seen.push(await onChain());
      }
      // Held back while the rate limit ran (the old address stayed), then announced.
      expect(seen[0]).toBe(LOCAL_IP);
      expect(await onChain()).toBe(detected);
      expect(announced).toEqual([detected]);
      expect(instance.running).toMatchObject({
        servedOnChain: true,
        axon: { externalIp: detected, externalPort: axon.port },
      });
    },
  );
});
