/** Where the chain is (chain §1.1), by the Python neurons' names. */

export const NETWORKS = {
  finney: 'wss://entrypoint-finney.opentensor.ai:443',
  test: 'wss://test.finney.opentensor.ai:443',
  archive: 'wss://archive.chain.opentensor.ai:443',
  local: 'ws://127.0.0.1:9944',
} as const;

export type NetworkName = keyof typeof NETWORKS;

/** The in-process chain double; not a URL. */
export const DEVNET = 'devnet';

/**
 * Resolves `--subtensor.chain_endpoint` (wins) or `--subtensor.network` (a name above, or a URL) to
 * an endpoint; nothing given means the devnet, so the app runs offline by default.
 */
export function resolveEndpoint(options: { network?: string | undefined; chainEndpoint?: string | undefined }): string {
  const value = options.chainEndpoint ?? options.network;
  if (value === undefined || value === DEVNET) return DEVNET;
  if (Object.hasOwn(NETWORKS, value)) return NETWORKS[value as NetworkName];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      `Unknown network "${value}": use ${[...Object.keys(NETWORKS), DEVNET].join(', ')} or a ws:// or wss:// URL`,
    );
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new Error(`A chain endpoint is a ws:// or wss:// URL, not ${url.protocol}`);
  }
  return value;
}
