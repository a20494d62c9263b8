/**
 * Our Miner against a real subtensor runtime (raonet's spec 218 under chopsticks, as in
 * host/subtensor-spec218.runtime.test.ts): it refuses to start unregistered with the runtime's burn,
 * starts once burned_register (through our chain client) has given its hotkey a uid, serves its
 * axon (serve_axon accepted, read back from the metagraph), and answers our dendrite, sealed and
 * plaintext, and the Python dendrite's request: TV-5's exact bytes to a miner with //Bob's hotkey at
 * TV-4's time, and TV-5 re-signed for this miner's hotkey and the real time.
 * The tiny MusicGen model runs in process. Then the same as a user: `bittaudio models import` of
 * the tiny model and `bittaudio miner --music_model` on it, against the same runtime.
 * Needs ../shared/fixtures/subtensor-raonet-spec218.json.
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RAO_PER_TAO } from '../../src-shared/domain/units.js';
import { musicGeneration } from '../../src-shared/synapse/music-generation.js';
import { SubtensorChain } from '../chain/subtensor.js';
import { type ChopsticksNode, freeLoopbackPort } from '../chain/testing/chopsticks.js';
import { startSpec218Subnet } from '../chain/testing/spec218-subnet.js';
import { RAONET_SPEC_218, sharedFixture } from '../chain/testing/shared-fixtures.js';
import { MusicgenGenerator } from '../inference/generate/musicgen.js';
import { LogRoot } from '../log/logger.js';
import { decodeSynapseBody } from '../net/body-codec.js';
import { Dendrite } from '../net/dendrite.js';
import { sealedKeypairFromPair } from '../net/sealed/keys.js';
import { dendriteMessage, signMessage } from '../net/signing.js';
import { TV3, TV4, TV5, TV6 } from '../net/testing/wire-vectors.js';
import { AXON_VERSION, Miner, MinerError, type MinerRequestRecord, type MinerStatus } from '../neuron/miner.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { WalletStore } from '../wallet/store.js';
import { registerMinerCommand } from './commands/miner.js';
import { registerModelsCommands } from './commands/models.js';

const SPEC = sharedFixture(RAONET_SPEC_218, 'the miner against a real subtensor runtime (spec 218)');
const NETUID = 2;
const TINY = { dir: join(import.meta.dirname, '..', '..', 'models', 'tiny', 'musicgen'), dtype: 'fp32' as const };
// The runtime refuses 127.0.0.1 (InvalidIpAddress); Linux routes all of 127/8 to the loopback.
const AXON_IP = '127.0.0.2';

let node: ChopsticksNode;
let chain: SubtensorChain;
let alice: KeyringPair; // coldkey with funds and the subnet; also the validator's hotkey (TV-5 is signed by it)
let bob: KeyringPair; // the subnet owner's hotkey, uid 0
let dave: KeyringPair; // the miner's hotkey
const records: MinerRequestRecord[] = [];
let minerUnderTest: Miner | undefined;
let serving: MinerStatus;
/** Fixed, so a restarted miner has the address the chain already holds. */
let axonPort = 0;

const quiet = new LogRoot(() => undefined);
const tempDir = useTempDirs();

function newMiner(): Miner {
  return new Miner({
    chain,
    netuid: NETUID,
    hotkey: dave,
    generator: new MusicgenGenerator(TINY),
    log: quiet.logger('miner'),
    axon: { port: axonPort, host: AXON_IP, externalIp: AXON_IP },
    onRequest: (record) => records.push(record),
    refreshBlocks: 1,
  });
}

beforeAll(async () => {
  if (!SPEC) return;
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  [alice, bob, dave] = ['//Alice', '//Bob', '//Dave'].map((uri) => keyring.addFromUri(uri)) as [
    KeyringPair,
    KeyringPair,
    KeyringPair,
  ];
  axonPort = await freeLoopbackPort();
  ({ node, chain } = await startSpec218Subnet({
    spec: SPEC,
    funder: alice,
    ownerHotkey: bob.address,
    log: quiet.logger('chain'),
  }));
  await node.setStorage({
    SubtensorModule: {
      MaxRegistrationsPerBlock: [[[NETUID], 16]],
      TargetRegistrationsPerInterval: [[[NETUID], 16]],
      ServingRateLimit: [[[NETUID], 0]],
    },
  });
  // The validator: //Alice as a registered hotkey with the 10 000 alpha BittAudio's blacklist asks for.
  expect(await chain.burnedRegister(alice, NETUID, alice.address)).toMatchObject({ ok: true });
  await node.setStorage({
    SubtensorModule: { TotalHotkeyAlpha: [[[alice.address, NETUID], (20_000n * RAO_PER_TAO).toString()]] },
  });
}, 180_000);

afterAll(async () => {
  if (!SPEC) return;
  await minerUnderTest?.stop();
  await chain?.close();
  await node?.stop();
});

describe.skipIf(!SPEC)('the miner on subtensor spec 218 (raonet, under chopsticks)', { timeout: 120_000 }, () => {
  it('refuses to start unregistered, with the runtime’s burn and the command to register', async () => {
    const burn = await chain.registrationCost(NETUID);
    const error = await newMiner()
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MinerError);
    expect((error as MinerError).code).toBe('not_registered');
    const tao = (burn / RAO_PER_TAO).toString();
    expect((error as MinerError).message).toMatch(
      new RegExp(`${dave.address} is not registered on subnet ${NETUID}\\. Registering burns ${tao}(\\.\\d+)? TAO`),
    );
    expect((error as MinerError).message).toContain(`bittaudio wallet register --netuid ${NETUID}`);
  });

  it('registers through burned_register, starts, and its serve_axon is on chain and in the metagraph', async () => {
    expect(await chain.burnedRegister(alice, NETUID, dave.address)).toMatchObject({ ok: true });
    const uid = await chain.uidOf(NETUID, dave.address);
    expect(uid).toBe(2);

    minerUnderTest = newMiner();
    serving = await minerUnderTest.start();
    expect(serving).toMatchObject({ uid: 2, servedOnChain: true, axon: { host: AXON_IP, externalIp: AXON_IP } });
    const axons = chain.api.query['subtensorModule']?.['axons'];
    if (!axons) throw new Error('spec 218 has Axons');
    expect((await axons(NETUID, dave.address)).toJSON()).toMatchObject({
      ip: 0x7f000002,
      port: serving.axon.port,
      ipType: 4,
      version: AXON_VERSION,
    });
    const neuron = (await chain.metagraph(NETUID)).neurons.find((n) => n.uid === uid);
    expect(neuron).toMatchObject({ hotkey: dave.address, axon: { ip: AXON_IP, port: serving.axon.port, ipType: 4 } });

    // A restart at the same address finds it on chain and does not serve again.
    await minerUnderTest.stop();
    minerUnderTest = newMiner();
    serving = await minerUnderTest.start();
    expect(serving).toMatchObject({ uid: 2, servedOnChain: false, axon: { port: axonPort } });
  });

  it('answers our dendrite with music, sealed and plaintext', async () => {
    const metagraphAxon = (await chain.metagraph(NETUID)).neurons.find((n) => n.hotkey === dave.address)?.axon;
    const endpoint = { hotkey: dave.address, ip: must(metagraphAxon).ip, port: must(metagraphAxon).port };
    expect(endpoint).toEqual({ hotkey: dave.address, ip: AXON_IP, port: serving.axon.port });

    const sealed = await new Dendrite({ hotkey: alice, sealedKeypair: sealedKeypairFromPair(alice) }).callDetailed(
      endpoint,
      musicGeneration({ text_input: 'lo-fi beat with mellow piano', duration: 28 }),
      { timeoutSeconds: 60 },
    );
    expect(sealed.route).toBe('sealed');
    expect(sealed.axonSignature).toBe('valid');
    expect(sealed.synapse.dendrite.status_code).toBe(200);
    expect(sealed.synapse.music_output).toHaveLength((28 - 3) * 640);

    const plain = await new Dendrite({ hotkey: alice, sealed: false }).callDetailed(
      endpoint,
      musicGeneration({ text_input: 'ambient drone', duration: 20 }),
      { timeoutSeconds: 60 },
    );
    expect(plain.route).toBe('plaintext');
    expect(plain.synapse.dendrite.status_code).toBe(200);
    expect(plain.synapse.music_output).toHaveLength((20 - 3) * 640);
    expect(records.slice(-2)).toMatchObject([
      { caller: alice.address, prompt: 'lo-fi beat with mellow piano', durationTokens: 28, status: 'ok' },
      { caller: alice.address, prompt: 'ambient drone', durationTokens: 20, status: 'ok' },
    ]);
  });

  it('answers the Python dendrite’s TV-5 request (re-signed for this axon, now) as TV-6 is shaped', async () => {
    const port = serving.axon.port;
    const nonce = BigInt(Date.now()) * 1_000_000n;
    const signature = signMessage(
      alice,
      dendriteMessage({
        nonce,
        dendriteHotkey: alice.address,
        axonHotkey: dave.address,
        uuid: TV3.uuid,
        bodyHash: TV3.bodyHash,
      }),
    );
    // Only what names this axon, the time and the signature differ from TV-5's bytes.
    const swap = (text: string): string =>
      text
        .replaceAll(TV5.axon.ip, AXON_IP)
        .replaceAll(`"port": ${TV5.axon.port}`, `"port": ${port}`)
        .replaceAll(TV5.axon.hotkey, dave.address)
        .replaceAll(TV3.nonce.toString(), nonce.toString())
        .replaceAll(TV3.signature, signature);
    const headers = TV5.headers.map(([name, value]): [string, string] => [
      name,
      name === 'bt_header_axon_port' ? String(port) : swap(value),
    ]);
    const body = swap(TV5.body);
    expect(body).not.toContain(TV3.signature);
    expect(body).toContain(`"nonce": ${nonce}`);

    const reply = await fetch(`http://${AXON_IP}:${port}/MusicGeneration`, {
      method: 'POST',
      headers: [...headers, ['content-type', 'application/json']],
      body,
    });
    const text = Buffer.from(await reply.arrayBuffer());
    expect(reply.status, text.toString().slice(0, 300)).toBe(200);
    const ours = decodeSynapseBody(text);
    const theirs = decodeSynapseBody(TV6.body);
    // The fields of a Python axon's answer, in its order; ours carries the real samples.
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect(ours).toMatchObject({
      text_input: TV5.textInput,
      duration: TV5.duration,
      model_name: 'facebook/musicgen-medium',
      axon: { status_code: 200, status_message: 'Success', hotkey: dave.address },
      dendrite: { hotkey: TV3.alice, uuid: TV3.uuid },
    });
    expect(String((ours['dendrite'] as { nonce: unknown }).nonce)).toBe(nonce.toString());
    expect(ours['music_output']).toHaveLength((TV5.duration - 3) * 640);
    for (const [name] of TV6.headers) expect(reply.headers.has(name), name).toBe(true);
    expect(records.at(-1)).toMatchObject({
      caller: TV3.alice,
      prompt: TV5.textInput,
      durationTokens: 755,
      status: 'ok',
    });

    // The same bytes again are a replay.
    const replay = await fetch(`http://${AXON_IP}:${port}/MusicGeneration`, {
      method: 'POST',
      headers: [...headers, ['content-type', 'application/json']],
      body,
    });
    expect(replay.status).toBe(401);
  });

  it('answers TV-5 byte for byte: the Python dendrite’s request to //Bob, at TV-4’s time', async () => {
    // //Bob is the subnet owner's hotkey (uid 0): a miner with it is registered already.
    const bobMiner = new Miner({
      chain,
      netuid: NETUID,
      hotkey: bob,
      generator: new MusicgenGenerator(TINY),
      log: quiet.logger('miner'),
      axon: { port: 0, host: AXON_IP, externalIp: AXON_IP },
      onRequest: (record) => records.push(record),
    });
    try {
      const status = await bobMiner.start();
      expect(status).toMatchObject({ uid: 0, servedOnChain: true });
      // TV-5's nonce is from 2024: the axon's wall clock reads TV-4's time, 0.88 s after it.
      vi.useFakeTimers({ toFake: ['Date'], now: Number(TV4.axonNonce / 1_000_000n) });
      const reply = await fetch(`http://${AXON_IP}:${status.axon.port}/MusicGeneration`, {
        method: 'POST',
        headers: [...TV5.headers, ['content-type', 'application/json']],
        body: TV5.body,
      });
      vi.useRealTimers();
      const text = Buffer.from(await reply.arrayBuffer());
      expect(reply.status, text.toString().slice(0, 300)).toBe(200);
      const ours = decodeSynapseBody(text);
      const theirs = decodeSynapseBody(TV6.body);
      expect(Object.keys(ours)).toEqual(Object.keys(theirs));
      // TV-6 field for field, but for the samples (real ones here) and the time they took.
      const { music_output: samples, axon, ...rest } = ours;
      const { music_output: _tv6Samples, axon: tv6Axon, ...tv6Rest } = theirs;
      expect(rest).toEqual(tv6Rest);
      expect({ ...(axon as object), process_time: null }).toEqual({ ...(tv6Axon as object), process_time: null });
      expect(samples).toHaveLength((TV5.duration - 3) * 640);
      for (const [name, value] of TV6.headers) {
        if (value !== undefined && name !== 'bt_header_axon_process_time') {
          expect(reply.headers.get(name), name).toBe(value);
        }
      }
      expect(records.at(-1)).toMatchObject({ caller: TV3.alice, prompt: TV5.textInput, status: 'ok' });
    } finally {
      vi.useRealTimers();
      await bobMiner.stop();
    }
  });

  it('`bittaudio models import` then `bittaudio miner --music_model ID` mines on the runtime', async () => {
    const dataDir = tempDir();
    const importer = new Command('bittaudio').exitOverride();
    let imported = '';
    registerModelsCommands(importer, {
      out: (text) => (imported += text),
      err: () => undefined,
      interrupted: () => new AbortController().signal,
    });
    await importer.parseAsync([
      'node',
      'bittaudio',
      'models',
      'import',
      TINY.dir,
      '--id',
      'tiny',
      '--data-dir',
      dataDir,
    ]);
    expect(imported).toContain('tiny fp32: ready');

    // A btcli wallet whose hotkey the coldkey registers; the miner loads only the hotkey and coldkeypub.
    const walletPath = tempDir();
    const wallets = new WalletStore({ root: walletPath, env: {} });
    const { ss58Address: hotkey } = await wallets.createHotkey('miner', 'gpu0');
    await wallets.regenerateColdkeypub('miner', { ss58Address: alice.address });
    expect(await chain.burnedRegister(alice, NETUID, hotkey)).toMatchObject({ ok: true });

    let stop: (reason: string) => void = () => undefined;
    let served: (status: MinerStatus) => void = () => undefined;
    const serving = new Promise<MinerStatus>((resolve) => (served = resolve));
    let log = '';
    const program = new Command('bittaudio').exitOverride();
    registerMinerCommand(program, {
      err: (text) => (log += text),
      env: {},
      home: walletPath,
      openChain: (endpoint) => SubtensorChain.connect({ endpoint, log: quiet.logger('chain') }),
      untilStopped: () => new Promise((resolve) => (stop = resolve)),
      onServing: served,
      workerEntry: null,
      probeScript: null,
    });
    const finished = program
      .parseAsync([
        ...['node', 'bittaudio', 'miner', '--netuid', String(NETUID), '--subtensor.chain_endpoint', node.url],
        ...['--wallet.path', walletPath, '--wallet.name', 'miner', '--wallet.hotkey', 'gpu0', '--data-dir', dataDir],
        ...['--axon.port', '0', '--axon.ip', AXON_IP, '--axon.external_ip', AXON_IP],
        ...['--music_model', 'tiny', '--device', 'cpu'],
      ])
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    const status = await Promise.race([serving, finished.then((error) => Promise.reject(error as Error))]);
    expect(status).toMatchObject({ uid: 3, servedOnChain: true });
    const onChain = (await chain.metagraph(NETUID)).neurons.find((n) => n.hotkey === hotkey)?.axon;
    expect(onChain).toMatchObject({ ip: AXON_IP, port: status.axon.port });
    const answer = await new Dendrite({ hotkey: alice }).call(
      { hotkey, ip: AXON_IP, port: status.axon.port },
      musicGeneration({ text_input: 'synthwave', duration: 13 }),
      { timeoutSeconds: 60 },
    );
    expect(answer.dendrite.status_code).toBe(200);
    expect(answer.music_output).toHaveLength(10 * 640);
    stop('received SIGTERM');
    expect(await finished).toBeUndefined();
    expect(log).toMatch(/Miner serving/);
  });
});

function must<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw new Error('expected a value');
  return value;
}
