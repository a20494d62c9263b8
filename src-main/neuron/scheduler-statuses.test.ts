/**
 * The scheduler's refusals as the axon answers them, over HTTP with signed requests: a line that
 * is full or a request that cannot finish in time is 503 with Retry-After, a deadline that passes
 * while waiting is Python's 408, a crashed worker is a 500 that names nothing but an id.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MusicGenerationSynapse, musicGeneration } from '../../src-shared/synapse/music-generation.js';
import { GenerationError } from '../inference/generate/errors.js';
import type { GenerateOptions, GeneratedAudio, MusicGenerator } from '../inference/generate/musicgen.js';
import { maxNewTokens, MusicRequestSchema, type MusicRequest } from '../inference/generate/request.js';
import { SchedulerError, WorkScheduler } from '../inference/scheduler.js';
import { Axon } from '../net/axon.js';
import { decodeSynapseBody } from '../net/body-codec.js';
import { FakeMetagraph, rawRequest, testKeys, type RawReply } from '../net/testing/helpers.js';
import { signedRequest } from '../net/testing/requests.js';
import { schedulerRejection } from './scheduler-statuses.js';

/** A GPU's stand-in that finishes only when the test says so; honours the abort signal. */
class HeldGenerator implements MusicGenerator {
  readonly release: (() => void)[] = [];
  generate(request: MusicRequest, options: GenerateOptions = {}): Promise<GeneratedAudio> {
    const steps = maxNewTokens(MusicRequestSchema.parse(request));
    return new Promise((resolve, reject) => {
      options.signal?.addEventListener('abort', () => reject(new GenerationError('aborted', 'aborted')), {
        once: true,
      });
      this.release.push(() =>
        resolve({
          audio: new Float32Array(4),
          sampleRate: 32000,
          model: 'held',
          dtype: { text_encoder: 'fp32', decoder_model_merged: 'fp32', encodec_decode: 'fp32' },
          device: 'cpu',
          steps,
          seed: null,
          timings: { encodeMs: 0, decodeMs: 0, audioMs: 0, totalMs: 0 },
        }),
      );
    });
  }
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function serve(maxQueued: number): Promise<{ port: number; generator: HeldGenerator; post: Post }> {
  const { alice, bob } = await testKeys();
  const generator = new HeldGenerator();
  const scheduler = new WorkScheduler(generator, { maxQueued });
  const axon = new Axon({
    hotkey: bob,
    metagraph: new FakeMetagraph().set(alice.address, 20_000n),
    admission: scheduler,
    limits: { retryAfterSeconds: 9 },
  });
  axon.attach(MusicGenerationSynapse, async (synapse, caller, context) => {
    const timeout = synapse.timeout ?? 12;
    try {
      const audio = await scheduler.submit(
        { prompt: synapse.text_input, durationTokens: synapse.duration ?? 10 },
        { priority: caller.stake, timeoutMs: timeout * 1000, signal: context.signal },
      );
      return { ...synapse, music_output: audio.audio };
    } catch (error) {
      throw schedulerRejection(error, timeout, 9);
    }
  });
  const { port } = await axon.start({ port: 0, host: '127.0.0.1' });
  stops.push(async () => {
    scheduler.close();
    await axon.stop({ graceMs: 100 });
  });
  let nonce = BigInt(Date.now()) * 1_000_000n;
  const post: Post = (duration, timeoutSeconds) => {
    const req = signedRequest({
      signer: alice,
      axonHotkey: bob.address,
      nonce: nonce++,
      uuid: `uuid-${nonce}`,
      synapse: musicGeneration({ text_input: 'piano', duration }),
      timeoutSeconds,
    });
    return rawRequest(port, '/MusicGeneration', req);
  };
  return { port, generator, post };
}

type Post = (duration: number, timeoutSeconds: number) => Promise<RawReply>;

const message = (reply: RawReply): unknown => decodeSynapseBody(reply.body)['message'];

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

describe('the scheduler’s refusals over HTTP', () => {
  it('answers 408 when the deadline passes while the request waits, and 200 to the one that ran', async () => {
    const { generator, post } = await serve(4);
    const first = post(10, 60);
    await until(() => generator.release.length === 1);
    // 10 tokens at the assumed 50 steps/s fit 1 s; the held generator never lets it start.
    const late = await post(10, 1);
    expect(late.status).toBe(408);
    expect(message(late)).toBe('Response timeout after: 1.0s');
    generator.release[0]?.();
    expect((await first).status).toBe(200);
  });

  it('answers 503 with Retry-After to what cannot finish in time, and when the line is full', async () => {
    const { generator, post } = await serve(0);
    const tooLong = await post(1500, 5);
    expect(tooLong.status).toBe(503);
    expect(tooLong.headers.get('retry-after')).toBe('9');
    expect(message(tooLong)).toMatch(/^Service busy: 1500 tokens cannot be generated within the [\d.]+ s left/);
    const first = post(10, 60);
    await until(() => generator.release.length === 1);
    const full = await post(10, 60);
    expect(full.status).toBe(503);
    expect(message(full)).toMatch(/^Service busy: the work queue is full/);
    generator.release[0]?.();
    expect((await first).status).toBe(200);
  });
});

describe('schedulerRejection', () => {
  it('maps every scheduler code and a generator failure to a status', () => {
    const status = (error: unknown): number => schedulerRejection(error, 12).status;
    expect(status(new SchedulerError('queue_full', 'full'))).toBe(503);
    expect(status(new SchedulerError('cannot_finish', 'late'))).toBe(503);
    expect(status(new SchedulerError('deadline_exceeded', 'late'))).toBe(408);
    expect(status(new SchedulerError('cancelled', 'gone'))).toBe(500);
    expect(status(new SchedulerError('closed', 'stopping'))).toBe(500);
    const crashed = schedulerRejection(new GenerationError('worker_crashed', 'killed by SIGKILL'), 12);
    expect(crashed.status).toBe(500);
    expect(crashed.statusMessage).toMatch(/^Internal Server Error #[0-9a-f-]{36}$/);
    expect(crashed.detail).toBe('worker_crashed: killed by SIGKILL');
  });
});
