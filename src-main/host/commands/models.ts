/**
 * `bittaudio models …`: the model store from a terminal. `import DIR` brings in a MusicGen export
 * made by hand (SN50's medium and large have no public one): the folder is checked first and
 * refused with everything it lacks, then copied into the store with hashing and progress; Ctrl+C
 * leaves nothing half-imported. The same store code answers the Host API's `models.import`.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { COMMAND_GROUPS } from '../../command-groups.js';
import type { ModelTransferProgress } from '../../../src-shared/schemas/model-manifest.js';
import { formatBytes } from '../../../src-shared/format/bytes.js';
import { ModelStore, ModelStoreError, modelsDirIn } from '../../models/index.js';
import { defaultDataDir } from '../../store/paths.js';

export interface ModelsCliIo {
  out(text: string): void;
  err(text: string): void;
  /** Aborts when the user interrupts (Ctrl+C, SIGTERM); tests abort it themselves. */
  interrupted(): AbortSignal;
}

export function terminalModelsIo(): ModelsCliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    interrupted: () => {
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort(new Error('received SIGINT')));
      process.once('SIGTERM', () => controller.abort(new Error('received SIGTERM')));
      return controller.signal;
    },
  };
}

/** `42% 12.3 MB of 29.1 MB, 3 of 8 files done (onnx/decoder_model_merged.onnx), 40 MB/s` */
export function progressLine(p: ModelTransferProgress): string {
  const percent = p.total > 0 ? Math.floor((p.bytes / p.total) * 100) : 0;
  const speed = p.bytesPerSecond > 0 ? `, ${formatBytes(Math.round(p.bytesPerSecond))}/s` : '';
  return `${percent}% ${formatBytes(p.bytes)} of ${formatBytes(p.total)}, ${p.filesDone} of ${p.filesTotal} files done (${p.file})${speed}`;
}

export function registerModelsCommands(program: Command, io: ModelsCliIo = terminalModelsIo()): void {
  const models = program.command('models').description(COMMAND_GROUPS.models);
  models
    .command('import')
    .description('Check a MusicGen ONNX export folder and copy it into the model store (with SHA-256 hashes).')
    .argument('<dir>', 'the folder the export wrote (config.json, tokenizer files, onnx/…)')
    .option(
      '--id <id>',
      'the store id: an offered model (musicgen-medium, musicgen-large) or a new name for your own; default from config.json',
    )
    .option('--data-dir <dir>', 'where the model store lives', defaultDataDir())
    .addHelpText(
      'after',
      `
The folder must hold config.json, tokenizer.json, tokenizer_config.json and, for at least one
dtype, onnx/text_encoder*.onnx, onnx/decoder_model_merged*.onnx and onnx/encodec_decode*.onnx
(how to export one: models/manifests/README.md). Then mine with --music_model ID.`,
    )
    .action(async (dir: string, flags: { id?: string; dataDir: string }) => {
      const source = resolve(dir);
      const store = new ModelStore({ modelsDir: modelsDirIn(resolve(flags.dataDir)), progressIntervalMs: 500 });
      const check = await store.checkImport(source, flags.id !== undefined ? { id: flags.id } : {});
      io.err(
        `Importing ${source} as ${check.manifest.id} (${check.dtypes.join(', ')}): ` +
          `${check.files.length} files, ${formatBytes(check.bytes)}\n`,
      );
      let last = '';
      try {
        const entries = await store.importFolder(source, check.manifest.id, {
          signal: io.interrupted(),
          onProgress: (p) => {
            // The store repeats its final report; one line of it is enough.
            const key = `${p.bytes}/${p.filesDone}`;
            if (key !== last) io.err(`${progressLine(p)}\n`);
            last = key;
          },
        });
        for (const entry of entries) io.out(`${entry.id} ${entry.dtype}: ${entry.state} in ${entry.dir}\n`);
        io.out(
          `Mine with it: bittaudio miner --music_model ${check.manifest.id} --dtype ${check.dtypes[0] ?? 'fp32'}\n`,
        );
      } catch (error) {
        if (error instanceof ModelStoreError && error.code === 'cancelled') {
          throw new Error('The import was interrupted; nothing was imported.', { cause: error });
        }
        throw error;
      }
    });
}
