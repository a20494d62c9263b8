/** `bittaudio models import` as a user runs it, and the miner finding the imported model by id. */
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../testing/temp-dir.js';
import { modelSource } from './miner.js';
import { registerModelsCommands, type ModelsCliIo } from './models.js';

const TINY = join(import.meta.dirname, '..', '..', '..', 'models', 'tiny', 'musicgen');
const tempDir = useTempDirs();

interface Terminal extends ModelsCliIo {
  output: string;
  errors: string;
}

function terminal(signal: AbortSignal = new AbortController().signal): Terminal {
  const io: Terminal = {
    output: '',
    errors: '',
    out: (text) => void (io.output += text),
    err: (text) => void (io.errors += text),
    interrupted: () => signal,
  };
  return io;
}

async function run(args: string[], io: ModelsCliIo): Promise<unknown> {
  const program = new Command('bittaudio').exitOverride();
  registerModelsCommands(program, io);
  return program.parseAsync(['node', 'bittaudio', 'models', ...args]).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('bittaudio models import', () => {
  it('imports the tiny model with progress, and the miner then loads it by id', async () => {
    const dataDir = tempDir();
    const io = terminal();
    expect(await run(['import', TINY, '--id', 'tiny', '--data-dir', dataDir], io)).toBeUndefined();
    expect(io.errors).toMatch(/^Importing .*musicgen as tiny \(fp32, fp16, q8\): 13 files, /);
    const lines = io.errors.trimEnd().split('\n');
    const files = readdirSync(TINY, { recursive: true, encoding: 'utf8' }).map((f) => join(TINY, f));
    const kB = Math.round(files.reduce((n, f) => n + (statSync(f).isFile() ? statSync(f).size : 0), 0) / 1000);
    expect(lines.at(-1)).toMatch(new RegExp(`^100% ${kB} kB of ${kB} kB, 13 of 13 files done `));
    expect(lines.filter((line) => line.startsWith('100%'))).toHaveLength(1);
    expect(io.output).toContain('tiny fp32: ready in ');
    expect(io.output).toContain('bittaudio miner --music_model tiny --dtype fp32');

    const source = await modelSource({ music_model: 'tiny', dtype: 'q8', dataDir });
    expect(source).toMatchObject({ modelId: 'local/tiny', dtype: { decoder_model_merged: 'q8' } });
  });

  it('says what a broken folder lacks and imports nothing', async () => {
    const dataDir = tempDir();
    const broken = join(tempDir(), 'export');
    cpSync(TINY, broken, { recursive: true });
    rmSync(join(broken, 'config.json'));
    const error = await run(['import', broken, '--data-dir', dataDir], terminal());
    expect(String(error)).toMatch(/is not a MusicGen export:\n- config\.json is missing/);
    await expect(modelSource({ music_model: 'export', dtype: 'fp32', dataDir })).rejects.toThrow(
      /There is no model export/,
    );
  });

  it('stops on an interrupt with nothing imported', async () => {
    const dataDir = tempDir();
    const controller = new AbortController();
    controller.abort(new Error('received SIGINT'));
    const error = await run(['import', TINY, '--data-dir', dataDir], terminal(controller.signal));
    expect(String(error)).toMatch(/interrupted; nothing was imported/);
    await expect(modelSource({ music_model: 'random-musicgen-tiny', dtype: 'fp32', dataDir })).rejects.toThrow(
      /There is no model random-musicgen-tiny/,
    );
  });
});

describe('--music_model and --music_path', () => {
  it('take a folder, checked as an import would check it', async () => {
    const dataDir = tempDir();
    expect(await modelSource({ music_model: TINY, dtype: 'fp16', dataDir })).toEqual({ dir: TINY, dtype: 'fp16' });
    const broken = join(tempDir(), 'export');
    cpSync(TINY, broken, { recursive: true });
    rmSync(join(broken, 'onnx', 'text_encoder.onnx'));
    await expect(modelSource({ music_path: broken, dtype: 'fp32', dataDir })).rejects.toThrow(
      /is not offered at fp32; it is at fp16, q8/,
    );
    rmSync(join(broken, 'tokenizer.json'));
    await expect(modelSource({ music_path: broken, dtype: 'fp16', dataDir })).rejects.toThrow(
      /tokenizer\.json is missing/,
    );
  });

  it('take an id, a repo or the SN50 model name, and refuse a model that is not installed', async () => {
    const dataDir = tempDir();
    await expect(modelSource({ dtype: 'fp16', dataDir })).rejects.toThrow(
      /MusicGen medium \(1\.5B\) \(fp16\) is missing/,
    );
    await expect(modelSource({ music_model: 'facebook/musicgen-large', dtype: 'fp32', dataDir })).rejects.toThrow(
      /MusicGen large \(3\.3B\) \(fp32\) is missing/,
    );
    await expect(modelSource({ music_model: 'musicgen-small', dtype: 'q8', dataDir })).rejects.toThrow(/is missing/);
  });
});
