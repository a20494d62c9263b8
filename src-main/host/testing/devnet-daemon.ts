/**
 * For tests: `bittaudio daemon` as the built CLI starts it, but on an in-process demo devnet (a
 * block every 200 ms) with "your" miner's hotkey registered — what the network service will hand
 * the daemon on the local network. Run as its own process so a test can kill -9 it.
 *
 *   node devnet-daemon.mjs DATA_DIR MODEL_DIR [WORKER_ENTRY]
 */
import { devnetNetwork } from '../../engine/testing/devnet-network.js';
import { startDaemon } from '../daemon.js';

const [dataDir, modelDir, workerEntry] = process.argv.slice(2);
if (!dataDir || !modelDir) {
  process.stderr.write('usage: devnet-daemon DATA_DIR MODEL_DIR [WORKER_ENTRY]\n');
  process.exit(2);
}
const network = await devnetNetwork({ handle: { localModelDir: modelDir } });
network.devnet.chain.startBlockProduction(200);
const daemon = await startDaemon({
  dataDir,
  listen: '127.0.0.1',
  port: 0,
  allowHosts: [],
  staticDir: null,
  workerEntry: workerEntry ?? null,
  network,
});
process.once('SIGTERM', () => void daemon.stop().then(() => process.exit(0)));
