/**
 * The CLI's command groups by name and description: a leaf, so `bittaudio --help` can list them
 * without loading their modules (see cli.ts), and each module describes itself with the same words.
 */
export const COMMAND_GROUPS = {
  wallet: 'Create, restore and list Bittensor wallets (coldkeys and hotkeys), in the same files btcli uses.',
  chain: 'Read subnet state from the chain (the local devnet unless told otherwise).',
  generate: 'Generate music from a text prompt with a local MusicGen model and write a WAV file.',
  models: 'Import MusicGen exports into the model store (SN50’s medium and large have no public one).',
  devnet:
    'Run the built-in local network in the foreground: a devnet chain, local miners and a test validator setting weights.',
  score:
    'Score music as the validator would: CLAP prompt adherence and AudioSet KL divergence against a reference clip.',
  miner: 'Mine on subnet 50: serve MusicGen on an axon that validators query, with the Python miner’s flags.',
  validator:
    'Validate on subnet 50: query miners, score their music, keep moving averages and set weights, with the Python validator’s flags.',
} as const;

export type CommandGroupName = keyof typeof COMMAND_GROUPS;
