/**
 * The built-in local network for real: the devnet chain, local miners with the tiny MusicGen model
 * on loopback axons, and the test validator's signed HTTP queries and weights. Blocks are driven
 * by hand (blockTimeMs: null) except in the test of the block timer.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { musicGeneration } from '../../src-shared/synapse/music-generation.js';
import { blocksUntilNextEpoch } from '../chain/epoch.js';
import { MusicgenGenerator } from '../inference/generate/musicgen.js';
import { LogRoot } from '../log/logger.js';
import { Dendrite } from '../net/dendrite.js';
import { chooseLoopbackHost, findTinyModel, freePort, LocalNetwork } from './local-network.js';

const log = new LogRoot(() => undefined).logger('local-network');
const running: LocalNetwork[] = [];
afterEach(async () => {
  for (const network of running.splice(0)) await network.stop();
});

async function start(options: Partial<Parameters<typeof LocalNetwork.start>[0]> = {}): Promise<LocalNetwork> {
  const network = await LocalNetwork.start({ log, blockTimeMs: null, ...options });
  running.push(network);
  return network;
}

describe('LocalNetwork', () => {
  it('finds the tiny model from the sources and from a built dist/main folder', () => {
    const fromSource = findTinyModel();
    expect(fromSource).toMatch(/models[\\/]tiny[\\/]musicgen$/);
    const repo = fromSource?.replace(/[\\/]models[\\/]tiny[\\/]musicgen$/, '') ?? '';
    expect(findTinyModel(`${repo}/dist/main`)).toBe(fromSource);
    expect(findTinyModel('/nonexistent/a/b')).toBeNull();
  });

  it('finds the model unpacked beside app.asar in the packaged app', () => {
    const resources = mkdtempSync(join(tmpdir(), 'bittaudio-asar-'));
    try {
      const unpacked = join(resources, 'app.asar.unpacked', 'models', 'tiny', 'musicgen');
      mkdirSync(join(unpacked, 'onnx'), { recursive: true });
      writeFileSync(join(unpacked, 'config.json'), '{}');
      expect(findTinyModel(join(resources, 'app.asar', 'dist', 'main'))).toBe(unpacked);
    } finally {
      rmSync(resources, { recursive: true, force: true });
    }
  });

  it(
    'registers the validator, your miner and the local miners; serves only the local ones',
    { timeout: 60_000 },
    async () => {
      const network = await start();
      const graph = await network.chain.metagraph(network.netuid);
      expect(network.netuid).toBe(50);
      expect(graph.neurons).toHaveLength(4);
      expect(graph.neurons[0]).toMatchObject({ hotkey: network.testValidator.status().hotkey, validatorPermit: true });
      const yours = graph.neurons.find((n) => n.hotkey === network.yourMiner.hotkey.address);
      expect(yours).toMatchObject({ uid: network.yourMiner.uid, axon: { ip: '0.0.0.0', port: 0 } });
      expect(network.yourMiner.port).toBeGreaterThan(0);
      expect(network.localMiners).toHaveLength(2);
      for (const local of network.localMiners) {
        const neuron = graph.neurons.find((n) => n.uid === local.uid);
        expect(neuron?.hotkey).toBe(local.hotkey);
        expect(neuron?.axon).toMatchObject({ ip: network.axonHost, port: local.port });
      }
      expect(new Set(graph.neurons.map((n) => n.hotkey)).size).toBe(4);
    },
  );

  it(
    'local miners answer a validator’s signed request with audio of the asked length',
    { timeout: 60_000 },
    async () => {
      const network = await start({ miners: 1 });
      const [local] = network.localMiners;
      if (!local) throw new Error('no local miner');
      const dendrite = new Dendrite({ hotkey: network.devnet.validator.hotkey });
      const answer = await dendrite.call(
        { hotkey: local.hotkey, ip: network.axonHost, port: local.port },
        musicGeneration({ text_input: 'a short test tune', duration: 20 }),
        { timeoutSeconds: 30 },
      );
      dendrite.close();
      expect(answer.dendrite.status_code).toBe(200);
      expect(answer.music_output).toHaveLength((20 - 3) * 640);
    },
  );

  it(
    'the test validator’s weights give every answering local miner incentive at the next epoch',
    { timeout: 90_000 },
    async () => {
      const network = await start();
      const validator = network.testValidator;
      // Weights set in the block a uid registered in do not count for it (subtensor's rule).
      network.chain.advance(1);
      const round = await validator.runRound();
      const localUids = network.localMiners.map((m) => m.uid).sort();
      expect([...round.queried].sort()).toEqual(localUids);
      expect([...round.answered].sort()).toEqual(localUids);
      expect(round.weightsSet).toBe(true);
      expect(network.chain.weightsOf(network.netuid, network.devnet.validator.uid).map(([uid]) => uid)).toEqual(
        localUids,
      );
      expect(validator.status()).toMatchObject({ queries: 2, answered: 2, lastWeightsBlock: 1 });

      const before = await network.chain.metagraph(network.netuid);
      expect(before.neurons.every((n) => n.incentive === 0)).toBe(true);
      // Blocks run the validator's rounds on their own from here; wait for each one before the next block.
      const until = blocksUntilNextEpoch(network.netuid, before.tempo, network.chain.blockNumber);
      for (let i = 0; i < (until === 0 ? before.tempo + 1 : until); i++) {
        network.chain.advance(1);
        await validator.idle();
      }
      const after = await network.chain.metagraph(network.netuid);
      for (const uid of localUids) expect(after.neurons[uid]?.incentive, `uid ${uid}`).toBeGreaterThan(0);
      expect(after.neurons[network.yourMiner.uid]?.incentive).toBe(0);
      expect(validator.status().scores.get(localUids[0] ?? -1)).toBeGreaterThan(0.5);
    },
  );

  it('moves the score of a miner that stops answering towards zero (EMA, α = 0.5)', { timeout: 90_000 }, async () => {
    const generator = new MusicgenGenerator({ dir: findTinyModel() ?? '', dtype: 'fp32' });
    let failing = false;
    const flaky = {
      generate: (...args: Parameters<MusicgenGenerator['generate']>) =>
        failing ? Promise.reject(new Error('GPU on fire')) : generator.generate(...args),
    };
    const network = await start({ miners: 1, generator: flaky });
    const validator = network.testValidator;
    const [local] = network.localMiners;
    await validator.runRound();
    expect(validator.status().scores.get(local?.uid ?? -1)).toBe(0.5);
    failing = true;
    const round = await validator.runRound();
    expect(round.answered).toEqual([]);
    expect(validator.status()).toMatchObject({ queries: 2, answered: 1 });
    expect(validator.status().scores.get(local?.uid ?? -1)).toBe(0.25);
  });

  it('falls back to 127.0.0.1 with the devnet’s local-only mode where 127.0.0.2 cannot be bound (macOS)', async () => {
    const refused = Object.assign(new Error('listen EADDRNOTAVAIL: address not available 127.0.0.2'), {
      code: 'EADDRNOTAVAIL',
    });
    expect(await chooseLoopbackHost(() => Promise.reject(refused))).toEqual({
      host: '127.0.0.1',
      acceptLoopbackAxonIp: true,
    });
    expect(await chooseLoopbackHost(() => Promise.resolve(0))).toEqual({
      host: '127.0.0.2',
      acceptLoopbackAxonIp: false,
    });
  });

  it('runs on 127.0.0.1 in that mode: served there, and a round answered', { timeout: 60_000 }, async () => {
    const network = await start({ miners: 1, loopback: { host: '127.0.0.1', acceptLoopbackAxonIp: true } });
    const [local] = network.localMiners;
    const graph = await network.chain.metagraph(network.netuid);
    expect(graph.neurons[local?.uid ?? -1]?.axon).toMatchObject({ ip: '127.0.0.1', port: local?.port });
    network.chain.advance(1);
    expect(await network.testValidator.runRound()).toMatchObject({ answered: [local?.uid], weightsSet: true });
  });

  it(
    'produces blocks on its timer, and stop ends the timer and frees the axon ports',
    { timeout: 60_000 },
    async () => {
      const network = await LocalNetwork.start({ log, blockTimeMs: 50, miners: 1 });
      const second = new Promise<number>((resolve) => {
        const off = network.chain.onNewBlock((block) => {
          if (block >= 2) {
            off();
            resolve(block);
          }
        });
      });
      expect(await second).toBeGreaterThanOrEqual(2);
      expect(network.chain.producingBlocks).toBe(true);
      const ports = network.localMiners.map((m) => m.port);
      await network.stop();
      expect(network.chain.producingBlocks).toBe(false);
      for (const port of ports) {
        await expect(
          new Promise<void>((resolve, reject) => {
            const server = createServer();
            server.once('error', reject);
            server.listen({ host: network.axonHost, port }, () => server.close(() => resolve()));
          }),
        ).resolves.toBeUndefined();
      }
      expect(await freePort(network.axonHost)).toBeGreaterThan(0);
    },
  );

  it('refuses a miner count or block time it cannot run, with the reason', async () => {
    await expect(LocalNetwork.start({ log, miners: 99 })).rejects.toThrow(/0 to 8 local miners, not 99/);
    await expect(LocalNetwork.start({ log, blockTimeMs: 0 })).rejects.toThrow(/at least 50/);
    await expect(LocalNetwork.start({ log, miners: -1 })).rejects.toThrow(/not -1/);
  });

  it('refuses local miner behaviours it does not know, or more than there are miners', async () => {
    await expect(LocalNetwork.start({ log, miners: 1, behaviours: ['good', 'silent'] })).rejects.toThrow(
      /one per local miner \(1\)/,
    );
    await expect(LocalNetwork.start({ log, miners: 1, behaviours: ['lazy' as unknown as 'good'] })).rejects.toThrow(
      /good, silent, slow, replay/,
    );
  });

  it(
    'hands its validator hotkey to the real validator: the test validator stops, the demo behaviours start, and back',
    { timeout: 60_000 },
    async () => {
      const network = await start({ miners: 3 });
      expect(network.localMiners.map((m) => m.behaviour)).toEqual(['good', 'good', 'good']);
      expect(network.validatorHotkey.address).toBe(network.testValidator.status().hotkey);
      await network.handOverToValidator();
      expect(network.localMiners.map((m) => m.behaviour)).toEqual(['good', 'silent', 'replay']);
      // The stopped test validator no longer runs rounds on new blocks.
      const before = network.testValidator.status().queries;
      network.chain.advance(3);
      await network.testValidator.idle();
      expect(network.testValidator.status().queries).toBe(before);
      network.takeBackFromValidator();
      expect(network.localMiners.map((m) => m.behaviour)).toEqual(['good', 'good', 'good']);
      network.chain.advance(3);
      await expect.poll(() => network.testValidator.status().queries, { timeout: 30_000 }).toBeGreaterThan(0);
      await network.testValidator.idle();
    },
  );
});
