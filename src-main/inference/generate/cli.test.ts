import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../testing/temp-dir.js';
import { decodeWav } from '../../audio/wav.js';
import { cliDtypes, describeDecoding, registerGenerateCommand, type GenerateCliIo } from './cli.js';
import { MusicgenGenerator } from './musicgen.js';

const TINY = join(import.meta.dirname, '..', '..', '..', 'models', 'tiny', 'musicgen');
const tempDir = useTempDirs();

function harness(options: { interactive?: boolean; interruptAtStep?: number; cudaMissing?: string | null } = {}) {
  const out: string[] = [];
  let err = '';
  let stop: (() => void) | null = null;
  const devices: string[] = [];
  const rewrites: (string | undefined)[] = [];
  const io: GenerateCliIo = {
    out: (t) => out.push(t),
    err: (t) => {
      err += t;
      const step = /(\d+)\/\d+ steps/.exec(t.split('\r').at(-1) ?? '')?.[1];
      if (options.interruptAtStep !== undefined && Number(step) >= options.interruptAtStep) stop?.();
    },
    interactive: options.interactive ?? false,
    onInterrupt: (s) => {
      stop = s;
      return () => (stop = null);
    },
    createGenerator: (source, o) => {
      devices.push(o.device);
      rewrites.push(o.cacheRewrite);
      return new MusicgenGenerator(source, o);
    },
    whyCudaCannotRun: () => Promise.resolve(options.cudaMissing ?? null),
  };
  const program = new Command('bittaudio')
    .exitOverride()
    .configureOutput({ writeErr: (t) => (err += t), writeOut: () => {} });
  registerGenerateCommand(program, io);
  return {
    run: (...args: string[]) => program.parseAsync(['node', 'bittaudio', 'generate', ...args]),
    out,
    devices,
    rewrites,
    err: () => err,
  };
}

describe('bittaudio generate', () => {
  it('writes a WAV of exactly the asked length and reports the run', async () => {
    const file = join(tempDir(), 'out.wav');
    const cli = harness();
    await cli.run(
      'lofi beat with piano',
      '--seconds',
      '0.5',
      '--model',
      TINY,
      '--out',
      file,
      '--seed',
      '4',
      '--dtype',
      'q8',
    );
    const wav = decodeWav(readFileSync(file));
    expect(wav).toMatchObject({ sampleRate: 32000, channels: 1, format: 'pcm16' });
    expect(wav.samples.length).toBe(25 * 640);
    expect(cli.out).toHaveLength(1);
    expect(cli.out[0]).toMatch(
      new RegExp(`^Wrote ${file}: 0\\.50 s at 32000 Hz, ${44 + 2 * 25 * 640} bytes; 28 steps on cpu, seed 4; load `),
    );
    // Not a terminal: one progress line per 10 %, ending at 100 %.
    const lines = cli
      .err()
      .split('\n')
      .filter((l) => l.startsWith('['));
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.at(-1)).toMatch(/^\[#{30}\] 100% {2}28\/28 steps/);
  });

  it('decodes with our own loop when asked, to the same greedy file as transformers.js', async () => {
    const dir = tempDir();
    const cli = harness();
    const args = ['--tokens', '20', '--model', TINY, '--greedy', '--format', 'float32'];
    await cli.run('rock', ...args, '--out', join(dir, 'a.wav'));
    await cli.run('rock', ...args, '--decoder', 'ort', '--out', join(dir, 'b.wav'));
    expect(readFileSync(join(dir, 'b.wav'))).toEqual(readFileSync(join(dir, 'a.wav')));
    await expect(cli.run('rock', ...args, '--decoder', 'onnx', '--out', join(dir, 'c.wav'))).rejects.toThrow();
    expect(cli.err()).toMatch(/--decoder <loop>' argument 'onnx' is invalid/);
  });

  it('passes --cache-rewrite on (none: the loop picks by device); both levels write the same greedy file', async () => {
    const dir = tempDir();
    const cli = harness();
    const args = ['--tokens', '20', '--model', TINY, '--greedy', '--format', 'float32'];
    await cli.run('rock', ...args, '--out', join(dir, 'a.wav'));
    await cli.run('rock', ...args, '--cache-rewrite', 'time-major', '--out', join(dir, 'b.wav'));
    expect(cli.rewrites).toEqual([undefined, 'time-major']);
    // Each run says how it decoded: the CPU default, then the level asked for.
    expect(cli.err().match(/Decoded with our loop \([^)]*\)/g)).toEqual([
      'Decoded with our loop (fused self-attention)',
      'Decoded with our loop (time-major KV cache)',
    ]);
    expect(readFileSync(join(dir, 'b.wav'))).toEqual(readFileSync(join(dir, 'a.wav')));
    await expect(cli.run('rock', ...args, '--cache-rewrite', 'fused', '--out', join(dir, 'c.wav'))).rejects.toThrow();
    expect(cli.err()).toMatch(/--cache-rewrite <level>' argument 'fused' is invalid/);
  });

  it('draws one redrawn bar on a terminal, and the seed reproduces the file', async () => {
    const dir = tempDir();
    const cli = harness({ interactive: true });
    const args = ['--tokens', '12', '--model', TINY, '--seed', '9', '--format', 'float32'];
    await cli.run('rock', ...args, '--out', join(dir, 'a.wav'));
    await cli.run('rock', ...args, '--out', join(dir, 'b.wav'));
    expect(readFileSync(join(dir, 'a.wav'))).toEqual(readFileSync(join(dir, 'b.wav')));
    expect(decodeWav(readFileSync(join(dir, 'a.wav'))).format).toBe('float32');
    expect(cli.err()).toContain('\r[');
    expect(cli.err()).toContain(' 100%  12/12 steps');
  });

  it('stops on Ctrl-C at the next step and writes nothing', async () => {
    const file = join(tempDir(), 'never.wav');
    const cli = harness({ interruptAtStep: 3 });
    await expect(cli.run('jazz', '--seconds', '30', '--model', TINY, '--out', file)).rejects.toThrow(
      /The generation was cancelled after step \d+ of 1503/,
    );
    expect(() => readFileSync(file)).toThrow();
  });

  it('says once, plainly, that CUDA is unavailable and why, and generates on the CPU without trying it', async () => {
    const why = 'The CUDA provider of onnxruntime-node is not installed: run `npm run cuda:install`.';
    const cli = harness({ cudaMissing: why });
    await cli.run('ambient', '--tokens', '6', '--model', TINY, '--out', join(tempDir(), 'c.wav'), '--device', 'cuda');
    expect(cli.devices).toEqual(['cpu']);
    expect(cli.err().match(/CUDA is not available/g)).toHaveLength(1);
    expect(cli.err()).toContain(`CUDA is not available: ${why} Generating on the CPU.`);
    expect(cli.err()).toContain(`Loading ${TINY} (fp32) on the CPU…`);
    expect(cli.out[0]).toContain('steps on cpu');
  });

  it('says so when a GPU provider that looked ready could not start the model', async () => {
    // CUDA "ready" on a machine without it: the generator falls back, and the CLI says which device ran.
    const cli = harness({ cudaMissing: null });
    await cli.run('ambient', '--tokens', '6', '--model', TINY, '--out', join(tempDir(), 'd.wav'), '--device', 'cuda');
    expect(cli.devices).toEqual(['cuda']);
    expect(cli.err()).toContain('CUDA could not start this model, so it ran on the CPU.');
  });

  it('rejects bad arguments before loading anything', async () => {
    const cli = harness();
    await expect(cli.run('x', '--seconds', '31', '--model', TINY, '--out', 'x.wav')).rejects.toThrow();
    expect(cli.err()).toMatch(/a length from 0 to 30 seconds/);
    await expect(cli.run('x', '--seconds', '2', '--tokens', '9', '--model', TINY, '--out', 'x.wav')).rejects.toThrow(
      /not both/,
    );
    await expect(cli.run('x', '--model', TINY, '--out', 'x.wav', '--dtype', 'fp64')).rejects.toThrow();
    expect(cli.err()).toMatch(/Allowed choices are fp32, fp16, q8/);
  });

  it('maps --dtype to the Xenova recipe: q8 keeps EnCodec at fp32', () => {
    expect(cliDtypes('q8')).toEqual({ text_encoder: 'q8', decoder_model_merged: 'q8', encodec_decode: 'fp32' });
    expect(cliDtypes('fp16')).toEqual({ text_encoder: 'fp16', decoder_model_merged: 'fp16', encodec_decode: 'fp16' });
  });
});

describe('describeDecoding', () => {
  it('names the loop, the rewrite, where the cache lived and why the fused level was not used', () => {
    expect(describeDecoding({ loop: 'transformers' })).toBe('Decoded with transformers.js generate().');
    expect(describeDecoding({ loop: 'ort', cacheRewrite: 'time-major', kvCache: 'device' })).toBe(
      'Decoded with our loop (time-major KV cache, the cache on the GPU).',
    );
    expect(describeDecoding({ loop: 'ort', cacheRewrite: 'time-major', kvCache: 'device', sampling: 'device' })).toBe(
      'Decoded with our loop (time-major KV cache, the cache and the token choice on the GPU).',
    );
    expect(
      describeDecoding({ loop: 'ort', cacheRewrite: 'time-major', kvCache: 'host', refused: 'its cache is float16' }),
    ).toBe('Decoded with our loop (time-major KV cache); the fused attention was not used: its cache is float16.');
  });
});
