/** `bittaudio chain …`: read the chain from the terminal, against the devnet or a real endpoint. */
import { type Command, InvalidArgumentError } from 'commander';
import type { Chain } from '../../chain/chain.js';
import { COMMAND_GROUPS } from '../../command-groups.js';
import { SubtensorChain } from '../../chain/subtensor.js';
import { createDemoDevnet } from '../../devnet/index.js';
import { DEVNET, NETWORKS, resolveEndpoint } from '../../chain/endpoints.js';
import type { Metagraph } from '../../chain/types.js';
import { LogRoot, type Logger } from '../../log/logger.js';
import { formatTao } from '../../chain/units.js';
import type { NetworkMetagraph } from '../../../src-shared/schemas/network.js';
import { defaultDataDir } from '../../store/paths.js';
import { callDaemon, findDaemon } from '../daemon-file.js';

export interface ChainCliIo {
  out(text: string): void;
  /** Opens the chain at an endpoint; DEVNET gives the in-process demo network. */
  open(endpoint: string): Promise<Chain>;
  /** The metagraph of the network of the daemon running in `dataDir`; null when no daemon runs there. */
  daemonMetagraph?(dataDir: string): Promise<{ graph: NetworkMetagraph; pid: number } | null>;
}

export interface EndpointOptions {
  'subtensor.network'?: string;
  'subtensor.chain_endpoint'?: string;
}

export function parseNetuid(value: string): number {
  const netuid = Number(value);
  if (!Number.isInteger(netuid) || netuid < 0 || netuid > 65535)
    throw new InvalidArgumentError('a netuid is a number from 0 to 65535');
  return netuid;
}

export function addEndpointOptions(command: Command): Command {
  return command
    .option(
      '--subtensor.network <name>',
      `network: ${[DEVNET, ...Object.keys(NETWORKS)].join(', ')}, or a ws(s):// URL`,
    )
    .option('--subtensor.chain_endpoint <url>', 'a node’s ws:// or wss:// URL (wins over --subtensor.network)');
}

export function endpointOf(options: EndpointOptions): string {
  return resolveEndpoint({ network: options['subtensor.network'], chainEndpoint: options['subtensor.chain_endpoint'] });
}

/** Opens the chain for real: the demo devnet in-process, or a node over WebSocket. */
export async function openChain(endpoint: string): Promise<Chain> {
  if (endpoint === DEVNET) return (await createDemoDevnet()).chain;
  process.stderr.write(`Connecting to ${endpoint}…\n`);
  return SubtensorChain.connect({ endpoint, log: terminalChainLog() });
}

/**
 * Warnings (an old runtime, a lost connection) go to stderr as plain lines; the chatter below
 * that, polkadot.js's included, stays out of a terminal command's output.
 */
export function terminalChainLog(write: (text: string) => void = (text) => process.stderr.write(text)): Logger {
  return new LogRoot(
    (line) => write(`${line.level === 'error' ? 'Error' : 'Warning'}: ${line.message}\n`),
    'warn',
  ).logger('chain');
}

export function terminalChainIo(): ChainCliIo {
  return { out: (text) => process.stdout.write(`${text}\n`), open: openChain, daemonMetagraph };
}

/** Asks the daemon of a data folder (daemon.json) for its network's metagraph. */
export async function daemonMetagraph(dataDir: string): Promise<{ graph: NetworkMetagraph; pid: number } | null> {
  const daemon = findDaemon(dataDir);
  if (!daemon) return null;
  return { graph: await callDaemon(daemon, 'network.metagraph', {}), pid: daemon.pid };
}

/** The wire metagraph (rao as strings) as the chain client's. */
export function metagraphFromWire(graph: NetworkMetagraph): Metagraph {
  return {
    ...graph,
    neurons: graph.neurons.map((n) => ({
      ...n,
      alphaStake: BigInt(n.alphaStake),
      totalStake: BigInt(n.totalStake),
      emission: BigInt(n.emission),
      axon: { ...n.axon },
    })),
  };
}

export function registerChainCommands(program: Command, io: ChainCliIo = terminalChainIo()): void {
  const chain = program.command('chain').description(COMMAND_GROUPS.chain);

  addEndpointOptions(
    chain
      .command('metagraph')
      .description('List the uids of a subnet: hotkey, stake, incentive, emission, validator permit and axon.')
      .requiredOption('--netuid <netuid>', 'the subnet', parseNetuid)
      .option('--json', 'print JSON instead of a table')
      .option('--data-dir <dir>', 'the data folder of a running daemon, whose network is read', defaultDataDir())
      .option('--no-daemon', 'never ask a running daemon: read a throw-away in-process devnet'),
  ).action(async (options: EndpointOptions & { netuid: number; json?: boolean; dataDir: string; daemon: boolean }) => {
    const endpoint = endpointOf(options);
    // No endpoint named: the network of a running daemon (its local network, say) if there is one.
    const fromDaemon =
      endpoint === DEVNET && options.daemon && io.daemonMetagraph ? await io.daemonMetagraph(options.dataDir) : null;
    if (fromDaemon) {
      const graph = metagraphFromWire(fromDaemon.graph);
      if (graph.netuid !== options.netuid) {
        throw new InvalidArgumentError(
          `the daemon's network (pid ${fromDaemon.pid}) runs subnet ${graph.netuid}, not ${options.netuid}: pass --netuid ${graph.netuid}, or --no-daemon`,
        );
      }
      if (!options.json) io.out(`(the network of the daemon running in ${options.dataDir}, pid ${fromDaemon.pid})`);
      io.out(options.json ? JSON.stringify(graph, bigintJson, 2) : formatMetagraph(graph));
      return;
    }
    await withChain(io, endpoint, async (c) => {
      const graph = await c.metagraph(options.netuid);
      if (endpoint === DEVNET && !options.json)
        io.out('(the in-process demo devnet; pass --subtensor.network finney for the real chain)');
      io.out(options.json ? JSON.stringify(graph, bigintJson, 2) : formatMetagraph(graph));
    });
  });

  addEndpointOptions(
    chain
      .command('hyperparameters')
      .description('Show the subnet’s hyperparameters (tempo, weights limits, commit-reveal, burn…).')
      .requiredOption('--netuid <netuid>', 'the subnet', parseNetuid),
  ).action(async (options: EndpointOptions & { netuid: number }) => {
    await withChain(io, endpointOf(options), async (c) => {
      const hyper = await c.hyperparameters(options.netuid);
      const rows = Object.entries(hyper).map(([key, value]) => [
        key,
        key === 'burn' ? formatTao(value as bigint) : String(value),
      ]);
      io.out(table(['parameter', 'value'], rows));
    });
  });
}

async function withChain(io: ChainCliIo, endpoint: string, work: (chain: Chain) => Promise<void>): Promise<void> {
  const chain = await io.open(endpoint);
  try {
    await work(chain);
  } finally {
    await chain.close();
  }
}

function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

export function formatMetagraph(graph: Metagraph): string {
  const rows = graph.neurons.map((n) => [
    String(n.uid),
    n.hotkey,
    formatTao(n.alphaStake),
    n.incentive.toFixed(4),
    n.dividends.toFixed(4),
    formatTao(n.emission),
    n.validatorPermit ? 'yes' : '',
    n.axon.ip === '0.0.0.0' ? '' : `${n.axon.ip}:${n.axon.port}`,
  ]);
  const head = `Subnet ${graph.netuid} at block ${graph.block} (tempo ${graph.tempo}): ${graph.neurons.length} uids`;
  return `${head}\n${table(['uid', 'hotkey', 'stake α', 'incentive', 'dividends', 'emission α', 'vpermit', 'axon'], rows)}`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
