/**
 * For runtime tests on the real spec-218 runtime: a chopsticks node with a funded coldkey, a
 * SubtensorChain connected to it, and a new subnet whose owner hotkey is given. Each test then sets
 * the subnet's parameters it needs. Setup calls use `sendSetupCall` (not under test).
 */
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Logger } from '../../log/logger.js';
import { SubtensorChain } from '../subtensor.js';
import { RAO_PER_TAO } from '../units.js';
import { ChopsticksNode } from './chopsticks.js';

/** Sends a setup call and waits for its block; a dropped or invalid one fails at once. */
export async function sendSetupCall(
  chain: SubtensorChain,
  tx: SubmittableExtrinsic<'promise'>,
  signer: KeyringPair,
): Promise<void> {
  const nonce = (await chain.api.rpc.system.accountNextIndex(signer.address)).toNumber();
  await new Promise<void>((resolve, reject) => {
    // Immortal: the setup does not depend on which block the signature names. This chopsticks may
    // report Finalized without an InBlock status first.
    tx.signAndSend(signer, { nonce, era: 0 }, (result) => {
      if (result.status.isInBlock || result.status.isFinalized) resolve();
      else if (result.isError) reject(new Error(`setup call: ${result.status.type}`));
    }).catch(reject);
  });
}

export async function startSpec218Subnet(options: {
  spec: string;
  /** Gets 1,000,000 TAO and pays for the subnet. */
  funder: KeyringPair;
  /** The subnet owner's hotkey (uid 0). */
  ownerHotkey: string;
  log?: Logger;
}): Promise<{ node: ChopsticksNode; chain: SubtensorChain }> {
  const node = await ChopsticksNode.start(options.spec);
  await node.setStorage({
    System: {
      Account: [[[options.funder.address], { providers: 1, data: { free: (1_000_000n * RAO_PER_TAO).toString() } }]],
    },
    // Genesis forbids a new network for its first 10 blocks; 0 would read as "unset" (the default).
    SubtensorModule: { NetworkRateLimit: 1 },
  });
  const chain = await SubtensorChain.connect({
    endpoint: node.url,
    ...(options.log ? { log: options.log } : {}),
    backoff: { initialMs: 100, maxMs: 500 },
    inclusionTimeoutMs: 30_000,
  });
  const registerNetwork = chain.api.tx['subtensorModule']?.['registerNetwork'];
  if (!registerNetwork) throw new Error('spec 218 has register_network');
  await sendSetupCall(chain, registerNetwork(options.ownerHotkey, 1), options.funder);
  return { node, chain };
}
