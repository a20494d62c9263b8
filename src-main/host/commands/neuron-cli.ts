/**
 * What `bittaudio miner` and `bittaudio validator` share: readable log lines on the terminal with
 * the same lines kept as rotated JSON under <data>/logs, and the neuron's hotkey from btcli's
 * wallet flags (BT_WALLET_NAME / BT_WALLET_HOTKEY as btcli reads them).
 */
import { join } from 'node:path';
import type { KeyringPair } from '@polkadot/keyring/types';
import { LogRoot, formatLogLine } from '../../log/logger.js';
import { RotatingLogFile } from '../../log/rotating-file.js';
import { WalletStore } from '../../wallet/store.js';

export interface NeuronWalletFlags {
  'wallet.name'?: string;
  'wallet.hotkey'?: string;
  'wallet.path'?: string;
}

/** The root of the command's loggers (`.logger(source)` for each part). */
export function neuronLogRoot(options: { dataDir: string; debug: boolean; err: (text: string) => void }): LogRoot {
  const logFile = new RotatingLogFile(join(options.dataDir, 'logs'));
  const root = new LogRoot(
    (line) => {
      options.err(`${formatLogLine(line)}\n`);
      logFile.write(line);
    },
    options.debug ? 'debug' : 'info',
  );
  return root;
}

/** The hotkey pair (hotkey file + coldkeypub.txt only: the coldkey is never read). */
export async function neuronHotkey(
  flags: NeuronWalletFlags,
  io: { env: NodeJS.ProcessEnv; home: string },
): Promise<KeyringPair> {
  const wallets = new WalletStore({ root: flags['wallet.path'], env: io.env, home: io.home });
  const walletName = flags['wallet.name'] ?? (io.env['BT_WALLET_NAME'] || 'default');
  const hotkeyName = flags['wallet.hotkey'] ?? (io.env['BT_WALLET_HOTKEY'] || 'default');
  return (await wallets.loadNeuronKeys(walletName, hotkeyName)).hotkey;
}
