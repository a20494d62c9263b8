/** The headless daemon: the engine plus the local HTTP/WebSocket server, until a signal stops it. */
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import type { NetworkProvider } from '../engine/network-handle.js';
import { forkWorker } from '../inference/worker/worker-client.js';
import { slotEnv } from '../inference/worker/worker-pool.js';
import { formatLogLine } from '../log/logger.js';
import { RotatingLogFile } from '../log/rotating-file.js';
import { removeDaemonFile, writeDaemonFile } from './daemon-file.js';
import { isLoopbackAddress } from './security.js';
import { startHostServer, type HostServer } from './server.js';

export interface DaemonOptions {
  dataDir: string;
  listen: string;
  port: number;
  allowHosts: string[];
  staticDir: string | null;
  /** The execution-provider probe (dist/main/probe-child.mjs); without it providers show as not probed. */
  probeScript?: string | null;
  /** The inference worker entry (dist/main/inference-worker.js), forked once per GPU. */
  workerEntry?: string | null;
  /** The network the miner runs on (the network service); without it neuron.start answers `unavailable`. */
  network?: NetworkProvider;
  /** Where log lines and the banner go; the daemon prints to the terminal. */
  print?: (text: string) => void;
  printLog?: (text: string) => void;
}

export interface RunningDaemon {
  engine: Engine;
  server: HostServer;
  stop(): Promise<void>;
}

export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const print = options.print ?? ((text) => process.stdout.write(`${text}\n`));
  const printLog = options.printLog ?? ((text) => process.stderr.write(`${text}\n`));
  // Besides the terminal and the database: JSON lines in <data>/logs, rotated, for tools like jq.
  const logFile = new RotatingLogFile(join(options.dataDir, 'logs'));
  const engine = new Engine({
    dataDir: options.dataDir,
    host: 'daemon',
    onLogLine: (line) => {
      printLog(formatLogLine(line));
      logFile.write(line);
    },
    ...(options.probeScript ? { gpu: { probe: { script: options.probeScript } } } : {}),
    spawnWorker: options.workerEntry
      ? (slot) => forkWorker(options.workerEntry as string, { env: slotEnv(slot) })
      : null,
    ...(options.network ? { network: options.network } : {}),
    // A first run shows a working miner on the local network; a user's Stop is remembered.
    neuron: { autoStartOnLocal: true },
  });
  let server: HostServer;
  try {
    server = await startHostServer({
      engine,
      listen: options.listen,
      port: options.port,
      allowHosts: options.allowHosts,
      staticDir: options.staticDir,
    });
  } catch (error) {
    engine.close();
    throw explainListenError(error, options);
  }
  if (!isLoopbackAddress(options.listen)) {
    engine.log.warn(
      `The API listens on ${options.listen}, reachable from other machines. Anyone with the token controls this node; ` +
        'prefer an SSH tunnel to a loopback daemon.',
    );
  }
  print('');
  print(`BittAudio daemon is running. Data folder: ${options.dataDir}`);
  print(`Open the app: ${server.url}`);
  print('The link holds this launch’s access token; keep it private. Stop with Ctrl+C.');
  print('');
  // Terminal commands of this data folder find the daemon through this file (daemon-file.ts).
  try {
    writeDaemonFile(options.dataDir, { api: new URL(server.url).origin, token: server.token, pid: process.pid });
  } catch (error) {
    engine.log.warn('Could not write daemon.json; terminal commands will not find this daemon', {
      error: String(error),
    });
  }
  // After the link: the network loads the devnet and the miners' model, which takes a moment.
  void engine.network.start();
  let stopping: Promise<void> | undefined;
  return {
    engine,
    server,
    stop: () =>
      (stopping ??= (async () => {
        removeDaemonFile(options.dataDir);
        await server.close();
        await engine.shutdown();
        logFile.close();
      })()),
  };
}

function explainListenError(error: unknown, options: DaemonOptions): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new Error(
      `Port ${options.port} on ${options.listen} is already in use (another BittAudio?). Pick another with --port, or --port 0 for any free port.`,
    );
  }
  if (code === 'EADDRNOTAVAIL') return new Error(`This machine has no address ${options.listen} to listen on.`);
  if (code === 'EACCES') return new Error(`Not allowed to listen on port ${options.port}; use a port above 1024.`);
  return error instanceof Error ? error : new Error(String(error));
}
