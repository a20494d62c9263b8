/**
 * Runtimes before typed runtime APIs (e.g. spec 218) declare their info APIs as returning
 * `Vec<u8>`: SCALE bytes of a struct the metadata does not describe. These are the struct layouts
 * the Python SDK decodes them with (its `NeuronInfoLite`, `AxonInfo`, `PrometheusInfo`), field
 * names in @polkadot/api's camelCase so the typed decoders read both.
 */
import { TypeRegistry } from '@polkadot/types';
import type { Codec } from '@polkadot/types/types';
import { unsupportedByRuntime } from './errors.js';

const registry = new TypeRegistry();
registry.register({
  LegacyAxonInfo: {
    block: 'u64',
    version: 'u32',
    ip: 'u128',
    port: 'u16',
    ipType: 'u8',
    protocol: 'u8',
    placeholder1: 'u8',
    placeholder2: 'u8',
  },
  LegacyPrometheusInfo: { block: 'u64', version: 'u32', ip: 'u128', port: 'u16', ipType: 'u8' },
  LegacyNeuronInfoLite: {
    hotkey: 'AccountId32',
    coldkey: 'AccountId32',
    uid: 'Compact<u16>',
    netuid: 'Compact<u16>',
    active: 'bool',
    axonInfo: 'LegacyAxonInfo',
    prometheusInfo: 'LegacyPrometheusInfo',
    stake: 'Vec<(AccountId32, Compact<u64>)>',
    rank: 'Compact<u16>',
    emission: 'Compact<u64>',
    incentive: 'Compact<u16>',
    consensus: 'Compact<u16>',
    trust: 'Compact<u16>',
    validatorTrust: 'Compact<u16>',
    dividends: 'Compact<u16>',
    lastUpdate: 'Compact<u64>',
    validatorPermit: 'bool',
    pruningScore: 'Compact<u16>',
  },
});

type Struct = Codec & { get(name: string): Codec | undefined };

/**
 * Decodes `get_neurons_lite`'s bytes. A layout that does not use up the bytes exactly is not the
 * one this runtime speaks, and is refused rather than shown as wrong numbers.
 */
export function decodeLegacyNeuronsLite(bytes: Codec, specVersion: number): Struct[] {
  const raw = (bytes as unknown as { toU8a(bare: boolean): Uint8Array }).toU8a(true);
  let decoded: Codec & Iterable<Struct>;
  try {
    decoded = registry.createType('Vec<LegacyNeuronInfoLite>', raw) as unknown as Codec & Iterable<Struct>;
  } catch {
    throw undecodable(specVersion);
  }
  if (decoded.encodedLength !== raw.length) throw undecodable(specVersion);
  return [...decoded];
}

function undecodable(specVersion: number): Error {
  return unsupportedByRuntime(
    specVersion,
    'the metagraph',
    'its NeuronInfoRuntimeApi.get_neurons_lite answers in a layout BittAudio does not know',
  );
}
