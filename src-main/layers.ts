/**
 * The house plan's layers as data: each folder of src-main and the folders it may import.
 * Layers point down (the table is checked to be acyclic) and every folder may use src-shared and
 * the leaf files at the top of src-main (version.ts, command-groups.ts, this file).
 * `src-main/architecture.test.ts` fails on any import the table does not allow; change the table
 * here, in review, when the design changes.
 */
export const LAYERS = {
  host: [
    'engine',
    'neuron',
    'chain',
    'devnet',
    'wallet',
    'net',
    'inference',
    'scoring',
    'models',
    'audio',
    'store',
    'log',
  ],
  engine: ['neuron', 'chain', 'devnet', 'wallet', 'net', 'inference', 'scoring', 'models', 'audio', 'store', 'log'],
  neuron: ['chain', 'devnet', 'wallet', 'net', 'inference', 'scoring', 'models', 'audio', 'store', 'log'],
  devnet: ['chain', 'wallet', 'net', 'log'],
  net: ['chain', 'wallet', 'log'],
  scoring: ['inference', 'models', 'audio', 'log'],
  inference: ['models', 'audio', 'log'],
  /** The model store: manifests, downloads, folder checks; used by inference and scoring alike. */
  models: ['log'],
  chain: ['wallet', 'log'],
  wallet: ['log'],
  store: ['audio', 'log'],
  audio: [],
  log: [],
  /** Test helpers shared across folders; only tests and other test helpers import them. */
  testing: [],
} as const satisfies Record<string, readonly string[]>;

export type Layer = keyof typeof LAYERS;
