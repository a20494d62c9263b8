/**
 * The miner's MusicGen in the real inference worker process (the worker entry bundled with
 * esbuild, as the build does): kill -9 of the worker during a generation fails that request with
 * an error status, the status shows the crash and the restart, and the next request succeeds.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostEvent } from '../../src-shared/api/contract.js';
import type { NeuronStatus } from '../../src-shared/schemas/neuron.js';
import { musicGeneration } from '../../src-shared/synapse/music-generation.js';
import { forkWorker, type SpawnWorker, type WorkerProcess } from '../inference/worker/worker-client.js';
import { Dendrite } from '../net/dendrite.js';
import { useTempDirs } from '../testing/temp-dir.js';
import { bundleWorker, type WorkerBundle } from '../inference/worker/testing/worker-bundle.js';
import { Engine } from './engine.js';
import { LOCAL_IP, devnetNetwork, type TestNetwork } from './testing/devnet-network.js';

const tempDir = useTempDirs();
let app: Engine | undefined;
let bundle: WorkerBundle;
let entry: string;

beforeAll(async () => {
  bundle = await bundleWorker('neuron-worker-test');
  entry = bundle.entry;
}, 60_000);
afterAll(() => bundle?.remove());
afterEach(async () => {
  await app?.shutdown();
  app = undefined;
});

async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function ask(network: TestNetwork, status: NeuronStatus, prompt: string, duration: number) {
  if (!status.axon || !status.hotkey) throw new Error('the miner does not serve');
  return new Dendrite({ hotkey: network.devnet.validator.hotkey }).call(
    { hotkey: status.hotkey, ip: LOCAL_IP, port: status.axon.port },
    musicGeneration({ text_input: prompt, duration }),
    { timeoutSeconds: 60 },
  );
}

describe('the miner with its inference worker', () => {
  it(
    'survives kill -9 of the worker during a generation: that request fails, the worker restarts, the next succeeds',
    { timeout: 120_000 },
    async () => {
      const network = await devnetNetwork();
      // The real fork, with a handle on each started process so the test can kill it.
      const processes: WorkerProcess[] = [];
      const fork = forkWorker(entry);
      const spawnWorker: SpawnWorker = () => {
        const started = fork();
        processes.push(started);
        return started;
      };
      app = new Engine({
        dataDir: tempDir(),
        host: 'daemon',
        network,
        spawnWorker: () => spawnWorker,
        neuron: { device: () => Promise.resolve('cpu'), workerBackoff: { initialMs: 50 } },
      });
      const events: HostEvent[] = [];
      app.events.subscribe((event) => events.push(event));
      const status = await app.handlers['neuron.start']({});
      expect(status.worker).toEqual({ state: 'ready', restarts: 0, lastError: null });
      expect(processes).toHaveLength(1);

      const doomed = ask(network, status, 'a long piece to be cut short', 600);
      await until(() => events.some((e) => e.event === 'generation' && e.payload.step > 0));
      processes[0]?.kill(); // SIGKILL
      const answer = await doomed;
      expect(answer.dendrite.status_code).toBe(500);
      // The axon tells the caller no internals; the history keeps the reason.
      expect(answer.dendrite.status_message).toMatch(/^Internal Server Error/);

      const crashed = await app.handlers['neuron.status']({});
      expect(crashed.worker).toMatchObject({ restarts: 1, lastError: expect.stringMatching(/SIGKILL/) });
      expect(crashed.alerts.map((a) => a.kind)).toContain('worker_failed');
      expect(crashed.state).toBe('running');

      const next = await ask(network, status, 'the next one', 28);
      expect(next.dendrite.status_code).toBe(200);
      expect(processes).toHaveLength(2);
      const after = await app.handlers['neuron.status']({});
      expect(after).toMatchObject({ answered: 1, failed: 1, worker: { state: 'ready', restarts: 1 } });
      expect(after.alerts.map((a) => a.kind)).not.toContain('worker_failed');
      const history = await app.handlers['generations.list']({ limit: 50, offset: 0 });
      expect(history.items.map((i) => [i.prompt, i.status, i.mediaPath === null])).toEqual([
        ['the next one', 'ok', false],
        ['a long piece to be cut short', 'failed', true],
      ]);
      expect(history.items[1]?.error).toMatch(/inference worker stopped \(killed by SIGKILL\)/);
    },
  );
});
