/**
 * What the connected runtime can do, read from its own metadata: which runtime APIs, calls and
 * storage items exist. Subtensor adds and removes them between spec versions (chain §1.3), so every
 * operation picks the best path that exists, in the order the Python SDK prefers, instead of
 * assuming the newest runtime. The choosers here are pure so they can be tested on any set.
 */
import type { ApiPromise } from '@polkadot/api';
import { unsupportedByRuntime } from './errors.js';

/** `section.method` as @polkadot/api decorates it, e.g. `subnetInfoRuntimeApi.getMetagraph`. */
type Name = string;

export interface CapabilitySet {
  specVersion: number;
  /** Runtime API methods, with whether their output is typed or opaque SCALE bytes (old runtimes). */
  runtimeApis: ReadonlyMap<Name, 'typed' | 'bytes'>;
  calls: ReadonlySet<Name>;
  storage: ReadonlySet<Name>;
}

export class RuntimeCapabilities {
  constructor(readonly set: CapabilitySet) {}

  get specVersion(): number {
    return this.set.specVersion;
  }

  hasApi(name: Name): boolean {
    return this.set.runtimeApis.has(name);
  }

  /** A typed runtime API: its answer decodes from the metadata alone. */
  hasTypedApi(name: Name): boolean {
    return this.set.runtimeApis.get(name) === 'typed';
  }

  hasCall(name: Name): boolean {
    return this.set.calls.has(name);
  }

  hasStorage(name: Name): boolean {
    return this.set.storage.has(name);
  }

  // ---- the choices, best first (issue #9) ----

  /**
   * An untyped get_neurons_lite (before spec 365) is skipped: its byte layout changed between
   * versions without the metadata saying so, while the storage columns are described by it.
   */
  metagraphSource(): 'getMetagraph' | 'neuronsLite' | 'storage' {
    if (this.hasTypedApi('subnetInfoRuntimeApi.getMetagraph')) return 'getMetagraph';
    if (this.hasTypedApi('neuronInfoRuntimeApi.getNeuronsLite')) return 'neuronsLite';
    if (this.hasStorage('subtensorModule.keys') && this.hasStorage('subtensorModule.networksAdded')) return 'storage';
    throw unsupportedByRuntime(
      this.specVersion,
      'the metagraph',
      'it has neither SubnetInfoRuntimeApi.get_metagraph nor NeuronInfoRuntimeApi.get_neurons_lite nor the uid storage',
    );
  }

  /**
   * The untyped `get_subnet_hyperparams` of old runtimes is skipped on purpose: its byte layout
   * changed between versions without a name, while the storage items are described by metadata.
   */
  hyperparametersSource(): 'selectiveMetagraph' | 'hyperparamsV2' | 'storage' {
    if (this.hasTypedApi('subnetInfoRuntimeApi.getSelectiveMetagraph')) return 'selectiveMetagraph';
    if (this.hasTypedApi('subnetInfoRuntimeApi.getSubnetHyperparamsV2')) return 'hyperparamsV2';
    if (this.hasStorage('subtensorModule.tempo') && this.hasStorage('subtensorModule.burn')) return 'storage';
    throw unsupportedByRuntime(this.specVersion, 'subnet hyperparameters');
  }

  nextEpochSource(): 'runtimeApi' | 'schedule' {
    return this.hasApi('subnetInfoRuntimeApi.getNextEpochStartBlock') ? 'runtimeApi' : 'schedule';
  }

  /**
   * Mechanism calls where they exist; the plain calls for mechanism 0 otherwise (spec < 365), which
   * the chain treats as the same thing. `kind` is the call family without its prefix.
   */
  weightsCall(kind: 'set' | 'commit' | 'reveal', mechanismId: number): { call: string; withMechanism: boolean } {
    const mechanism = `${kind}MechanismWeights`;
    const plain = `${kind}Weights`;
    if (this.hasCall(`subtensorModule.${mechanism}`)) return { call: mechanism, withMechanism: true };
    if (mechanismId !== 0) {
      throw unsupportedByRuntime(
        this.specVersion,
        `weights for mechanism ${mechanismId}`,
        `it has no SubtensorModule.${snake(mechanism)}`,
      );
    }
    if (this.hasCall(`subtensorModule.${plain}`)) return { call: plain, withMechanism: false };
    throw unsupportedByRuntime(this.specVersion, `SubtensorModule.${snake(plain)}`);
  }

  /** Timelocked (commit-reveal v3/v4) commits exist only on newer runtimes: refuse by name otherwise. */
  timelockedCommitCall(mechanismId: number): { call: string; withMechanism: boolean } {
    if (this.hasCall('subtensorModule.commitTimelockedMechanismWeights'))
      return { call: 'commitTimelockedMechanismWeights', withMechanism: true };
    if (mechanismId === 0 && this.hasCall('subtensorModule.commitTimelockedWeights'))
      return { call: 'commitTimelockedWeights', withMechanism: false };
    throw unsupportedByRuntime(
      this.specVersion,
      'timelocked weight commits',
      'it has no SubtensorModule.commit_timelocked_mechanism_weights or commit_timelocked_weights',
    );
  }
}

/** `setWeights` → `set_weights`: the runtime's own spelling, for messages. */
export function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `subnetInfoRuntimeApi` → `SubnetInfoRuntimeApi`. */
export function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Reads the capability set of the runtime `api` is decorated with now. */
export function readCapabilities(api: ApiPromise): RuntimeCapabilities {
  const runtimeApis = new Map<Name, 'typed' | 'bytes'>();
  for (const [section, methods] of Object.entries(api.call)) {
    for (const [method, fn] of Object.entries(methods as Record<string, { meta?: { type?: unknown } }>)) {
      // Old runtimes declare their info APIs as returning Vec<u8> holding SCALE the client decodes.
      const output = String(fn.meta?.type ?? '');
      runtimeApis.set(`${section}.${method}`, output === 'Bytes' || output === 'Vec<u8>' ? 'bytes' : 'typed');
    }
  }
  const names = (root: Record<string, Record<string, unknown>>): Set<Name> => {
    const found = new Set<Name>();
    for (const [section, items] of Object.entries(root))
      for (const item of Object.keys(items)) found.add(`${section}.${item}`);
    return found;
  };
  return new RuntimeCapabilities({
    specVersion: api.runtimeVersion.specVersion.toNumber(),
    runtimeApis,
    calls: names(api.tx as unknown as Record<string, Record<string, unknown>>),
    storage: names(api.query as unknown as Record<string, Record<string, unknown>>),
  });
}
