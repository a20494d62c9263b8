/**
 * The `bittaudio` command. Its command groups load their modules only when they run: the chain,
 * wallet and inference code pulls in @polkadot/api, libsodium and transformers.js (over a second
 * and ~100 MiB together), which `--version`, `--help` or the daemon's start should not pay for.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { defaultDataDir } from '../store/paths.js';
import { APP_VERSION } from '../version.js';
import { COMMAND_GROUPS, type CommandGroupName } from '../command-groups.js';

export const DEFAULT_PORT = 7850;

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('a port is a number from 0 to 65535');
  return port;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A file the build puts beside the bundles (the probe script, the inference worker), if there. */
function builtFile(name: string): string | null {
  const file = fileURLToPath(new URL(`./${name}`, import.meta.url));
  return existsSync(file) ? file : null;
}

/** The built renderer beside the built CLI (dist/renderer next to dist/main). */
function builtRendererDir(): string | null {
  const dir = fileURLToPath(new URL('../renderer', import.meta.url));
  return existsSync(resolve(dir, 'index.html')) ? dir : null;
}

/** Each command group's registration, in a module imported only when the group is run. */
const LAZY_GROUPS: Record<CommandGroupName, () => Promise<(program: Command) => void>> = {
  wallet: async () => (await import('./commands/wallet.js')).registerWalletCommands,
  chain: async () => (await import('./commands/chain.js')).registerChainCommands,
  models: async () => (await import('./commands/models.js')).registerModelsCommands,
  miner: async () => (await import('./commands/miner.js')).registerMinerCommand,
  validator: async () => (await import('./commands/validator.js')).registerValidatorCommand,
  devnet: async () => (await import('./commands/devnet.js')).registerDevnetCommand,
  score: async () => (await import('./commands/score.js')).registerScoreCommand,
  generate: async () => (await import('../inference/generate/cli.js')).registerGenerateCommand,
};

/** The command group the arguments name (`bittaudio help wallet` included), if any. */
function groupNamed(args: readonly string[]): CommandGroupName | undefined {
  const words = args.filter((arg) => !arg.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return name !== undefined && Object.hasOwn(LAZY_GROUPS, name) ? (name as CommandGroupName) : undefined;
}

/**
 * The program for these arguments (what follows `bittaudio`): the group they name is loaded and
 * registered in full; the others are listed by name and description only. With `all`, every
 * group is loaded (tests of the help texts).
 */
export async function createProgram(args: readonly string[] = [], options: { all?: boolean } = {}): Promise<Command> {
  const program = baseProgram();
  const wanted = groupNamed(args);
  for (const [name, load] of Object.entries(LAZY_GROUPS) as [CommandGroupName, () => Promise<(p: Command) => void>][]) {
    if (options.all || name === wanted) (await load())(program);
    else program.command(name).description(COMMAND_GROUPS[name]);
  }
  return program;
}

function baseProgram(): Command {
  const program = new Command('bittaudio')
    .description('BittAudio Desktop: mine or validate on Bittensor subnet 50 (text-to-music).')
    .version(APP_VERSION, '-v, --version', 'print the version')
    .showHelpAfterError('(run `bittaudio --help` for the commands)');

  program
    .command('daemon')
    .description(
      'Run the engine headless and serve the app to a browser over a token-protected local API (for GPU boxes without a screen).',
    )
    .option('-p, --port <port>', 'port of the local API and UI (0 picks a free one)', parsePort, DEFAULT_PORT)
    .option(
      '--listen <address>',
      'address to bind; anything but loopback exposes the API to the network (prefer an SSH tunnel)',
      '127.0.0.1',
    )
    .option('--allow-host <name>', 'also accept this name in Host/Origin headers (repeatable)', collect, [])
    .option('--data-dir <dir>', 'where the database and files live', defaultDataDir())
    .addHelpText(
      'after',
      `
Remote use: run the daemon on the GPU box, then from your computer
  ssh -L ${DEFAULT_PORT}:127.0.0.1:${DEFAULT_PORT} user@gpu-box
and open the printed link on your computer.`,
    )
    .action(async (options: { port: number; listen: string; allowHost: string[]; dataDir: string }) => {
      const { startDaemon } = await import('./daemon.js');
      const daemon = await startDaemon({
        dataDir: resolve(options.dataDir),
        listen: options.listen,
        port: options.port,
        allowHosts: options.allowHost,
        staticDir: builtRendererDir(),
        probeScript: builtFile('probe-child.mjs'),
        workerEntry: builtFile('inference-worker.js'),
      });
      const shutdown = (reason: string): void => {
        daemon.engine.log.info(`Stopping: ${reason}`);
        void daemon.stop().then(() => process.exit(0));
      };
      process.once('SIGINT', () => shutdown('received SIGINT'));
      process.once('SIGTERM', () => shutdown('received SIGTERM'));
      // Started by `npm start` with an IPC channel: when that launcher dies, however it dies,
      // the channel closes and the daemon must not stay behind holding the port.
      if (process.connected)
        process.once('disconnect', () => shutdown('npm start, which launched the daemon, has ended'));
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await (await createProgram(argv.slice(2))).parseAsync(argv);
  } catch (error) {
    process.stderr.write(`bittaudio: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
