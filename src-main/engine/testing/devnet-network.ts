/**
 * For tests: a NetworkProvider over the in-process demo devnet, with "your" miner's hotkey
 * (`//You//hotkey`) registered and the tiny MusicGen model, as the network service hands it to
 * the neuron on the local network. Blocks advance only when the test says so.
 */
import { join } from 'node:path';
import { RAO_PER_TAO } from '../../chain/units.js';
import {
  createDemoDevnet,
  devParticipant,
  devnetKeyring,
  type DemoDevnet,
  type DemoParticipant,
} from '../../devnet/index.js';
import type { NetworkHandle, NetworkProvider } from '../network-handle.js';

export const TINY_MODEL_DIR = join(import.meta.dirname, '..', '..', '..', 'models', 'tiny', 'musicgen');
/** The chain refuses 127.0.0.1 (subtensor's rule); Linux routes all of 127/8 to the loopback. */
export const LOCAL_IP = '127.0.0.2';

export interface TestNetwork extends NetworkProvider {
  devnet: DemoDevnet;
  you: DemoParticipant;
  handle: NetworkHandle;
  /** Replaces the network (null: it went down) and tells the listeners. */
  set(network: NetworkHandle | null): void;
}

export async function devnetNetwork(
  options: { register?: boolean; handle?: Partial<NetworkHandle>; devnet?: DemoDevnet } = {},
): Promise<TestNetwork> {
  // A validator with the stake BittAudio's blacklist asks for (10 000 alpha).
  const devnet = options.devnet ?? (await createDemoDevnet({ miners: 2, validatorStake: 20_000n * RAO_PER_TAO }));
  const you = devParticipant(await devnetKeyring(), 'You');
  if (options.register ?? true) {
    devnet.chain.endow(you.coldkey.address, 100n * RAO_PER_TAO);
    const registered = await devnet.chain.burnedRegister(you.coldkey, devnet.netuid, you.hotkey.address);
    if (!registered.ok) throw new Error(`registering //You failed: ${registered.error.message}`);
  }
  const handle: NetworkHandle = {
    kind: 'local',
    chain: devnet.chain,
    netuid: devnet.netuid,
    localMinerHotkey: you.hotkey,
    localModelDir: TINY_MODEL_DIR,
    axon: { host: LOCAL_IP, externalIp: LOCAL_IP, port: 0 },
    ...options.handle,
  };
  let current: NetworkHandle | null = handle;
  const listeners = new Set<(network: NetworkHandle | null) => void>();
  return {
    devnet,
    you,
    handle,
    current: () => current,
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set: (network) => {
      current = network;
      for (const listener of listeners) listener(network);
    },
  };
}
