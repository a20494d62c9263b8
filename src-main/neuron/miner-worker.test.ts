/**
 * The miner with MusicGen in a real inference worker process, on the in-process devnet: a kill -9
 * of the worker during a generation that came through the axon gives the caller (a real dendrite,
 * real signatures) an error status at once, the worker comes back, and the next request succeeds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationEvent } from '../../src-shared/schemas/generation.js';
import { musicGeneration } from '../../src-shared/synapse/music-generation.js';
import { RAO_PER_TAO } from '../chain/units.js';
import { createDemoDevnet } from '../devnet/index.js';
import { bundleWorker, TINY, type WorkerBundle } from '../inference/worker/testing/worker-bundle.js';
import { forkWorker, type WorkerState } from '../inference/worker/worker-client.js';
import { WorkerPool } from '../inference/worker/worker-pool.js';
import { LogRoot } from '../log/logger.js';
import { Dendrite } from '../net/dendrite.js';
import { Miner, type MinerRequestRecord } from './miner.js';

const LOCAL_IP = '127.0.0.2';

let bundle: WorkerBundle;
beforeAll(async () => {
  bundle = await bundleWorker('miner-worker-test');
}, 60_000);
afterAll(() => bundle.remove());

describe('Miner with the inference worker process', () => {
  it(
    'answers an error status when the worker is killed mid-generation, and serves the next request',
    { timeout: 120_000 },
    async () => {
      const devnet = await createDemoDevnet({ miners: 1, validatorStake: 20_000n * RAO_PER_TAO });
      const [bob] = devnet.miners;
      if (!bob) throw new Error('the demo devnet has no miner');
      const states: WorkerState[] = [];
      const pool = new WorkerPool({
        slots: [{ gpu: null, device: 'cpu', label: 'cpu' }],
        spawn: () => forkWorker(bundle.entry),
        backoff: { initialMs: 100 },
        onState: (_slot, state) => states.push(state),
      });
      const records: MinerRequestRecord[] = [];
      const miner = new Miner({
        chain: devnet.chain,
        netuid: devnet.netuid,
        hotkey: bob.hotkey,
        generator: pool.executors(TINY),
        log: new LogRoot(() => undefined).logger('miner'),
        axon: { port: 0, host: LOCAL_IP, externalIp: LOCAL_IP },
        onRequest: (record) => records.push(record),
      });
      const dendrite = new Dendrite({ hotkey: devnet.validator.hotkey });
      try {
        const status = await miner.start();
        const target = { hotkey: bob.hotkey.address, ip: LOCAL_IP, port: status.axon.port };
        let killed: number | null = null;
        miner.generations?.subscribe((event) => {
          const worker = states.findLast((s) => s.state === 'ready');
          if (killed === null && event.state === 'running' && event.step >= 1 && worker && 'pid' in worker) {
            killed = worker.pid;
            process.kill(worker.pid, 'SIGKILL');
          }
        });
        const failed = await dendrite.call(target, musicGeneration({ text_input: 'a long piece', duration: 1500 }), {
          timeoutSeconds: 60,
        });
        expect(killed).not.toBeNull();
        expect(failed.dendrite.status_code).toBe(500);
        expect(failed.dendrite.status_message).toMatch(/^Internal Server Error #/);
        expect(records.at(-1)).toMatchObject({
          status: 'failed',
          error: expect.stringMatching(/killed by SIGKILL.*restarting.*The job it held failed/),
        });
        expect(states.some((s) => s.state === 'restarting')).toBe(true);

        const next = await dendrite.call(target, musicGeneration({ text_input: 'lo-fi beat', duration: 20 }), {
          timeoutSeconds: 60,
        });
        expect(next.dendrite.status_code).toBe(200);
        expect(next.music_output).toHaveLength((20 - 3) * 640);
        const ready = states.filter((s): s is Extract<WorkerState, { state: 'ready' }> => s.state === 'ready');
        expect(ready).toHaveLength(2);
        expect(ready[1]?.pid).not.toBe(killed);
        expect(records.at(-1)).toMatchObject({ status: 'ok', durationTokens: 20 });
      } finally {
        dendrite.close();
        await miner.stop();
        await pool.close();
      }
    },
  );

  it(
    'decodes concurrent requests of the same duration that wait for the worker as one batch',
    { timeout: 120_000 },
    async () => {
      const devnet = await createDemoDevnet({ miners: 1, validatorStake: 20_000n * RAO_PER_TAO });
      const [bob] = devnet.miners;
      if (!bob) throw new Error('the demo devnet has no miner');
      const pool = new WorkerPool({
        slots: [{ gpu: null, device: 'cpu', label: 'cpu' }],
        spawn: () => forkWorker(bundle.entry),
      });
      const miner = new Miner({
        chain: devnet.chain,
        netuid: devnet.netuid,
        hotkey: bob.hotkey,
        generator: pool.executors(TINY),
        log: new LogRoot(() => undefined).logger('miner'),
        axon: { port: 0, host: LOCAL_IP, externalIp: LOCAL_IP },
      });
      const dendrite = new Dendrite({ hotkey: devnet.validator.hotkey });
      const dendrites = [dendrite];
      try {
        const status = await miner.start();
        const target = { hotkey: bob.hotkey.address, ip: LOCAL_IP, port: status.axon.port };
        const events: GenerationEvent[] = [];
        let busy!: () => void;
        const running = new Promise<void>((resolve) => (busy = resolve));
        miner.generations?.subscribe((event) => {
          events.push(event);
          if (event.state === 'running' && event.step >= 1) busy();
        });
        // One dendrite's calls to one axon take turns (nonce order, dendrite.ts): concurrent
        // requests come from dendrites of their own, as from several validators.
        const others = [
          new Dendrite({ hotkey: devnet.validator.hotkey }),
          new Dendrite({ hotkey: devnet.validator.hotkey }),
        ];
        dendrites.push(...others);
        const call = (text: string, duration: number, from = dendrite) =>
          from.call(target, musicGeneration({ text_input: text, duration }), { timeoutSeconds: 60 });
        // A first request holds the worker, so the next two wait and leave the line together.
        const first = call('a long piece', 1500);
        await running;
        const [a, b] = await Promise.all([
          call('lo-fi beat', 20, others[0]),
          call('jazz with a saxophone', 20, others[1]),
        ]);
        expect((await first).dendrite.status_code).toBe(200);
        for (const answer of [a, b]) {
          expect(answer.dendrite.status_code).toBe(200);
          expect(answer.music_output).toHaveLength((20 - 3) * 640);
        }
        expect(a.music_output).not.toEqual(b.music_output);
        console.log(
          events
            .map((e) => [e.prompt, e.state, e.step, e.batchSize].join(' '))
            .filter((l, i, all) => all[i - 1] !== l)
            .join('\n'),
        );
        const batched = events.filter((e) => e.state === 'running' && e.batchSize === 2);
        expect(new Set(batched.map((e) => e.prompt))).toEqual(new Set(['lo-fi beat', 'jazz with a saxophone']));
        expect(events.some((e) => e.prompt === 'a long piece' && e.batchSize !== undefined)).toBe(false);
      } finally {
        for (const d of dendrites) d.close();
        await miner.stop();
        await pool.close();
      }
    },
  );
});
