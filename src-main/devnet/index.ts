/** The devnet: a complete local chain in one process, behind the same `Chain` interface. */
export {
  DevnetChain,
  type DevnetChainOptions,
  type RawServeAxonParams,
  type RevealedWeights,
  type TimelockRevealer,
  type TimelockedCommitInfo,
} from './devnet-chain.js';
export {
  RUNTIME_DEFAULTS,
  type DevnetEvent,
  type DevnetLogger,
  type DevnetSubnetConfig,
  type EpochNeuronRecord,
  type EpochRecord,
  type SubnetOwner,
  type TimelockedCommitStatus,
  type WeightCommit,
} from './state.js';
export {
  splitEpochEmission,
  splitProportional,
  topKByStake,
  yumaConsensus,
  type EmissionSplit,
  type YumaInput,
  type YumaResult,
} from './consensus.js';
export { blocksUntilNextEpoch, epochIndex, isEpochBlock, nextEpochBlockAfter, revealWindow } from '../chain/epoch.js';
export { chainError, DevnetError, type DevnetErrorName } from './errors.js';
export {
  createDemoDevnet,
  DEMO_SUBNET,
  devnetKeyring,
  devParticipant,
  type DemoDevnet,
  type DemoDevnetOptions,
  type DemoParticipant,
  type RegisteredParticipant,
} from './demo.js';
