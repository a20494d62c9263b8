import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { FakeSubtensorNode } from '../../chain/testing/fake-node.js';
import { answerMetagraph } from '../../chain/testing/metagraph-answer.js';
import { FINNEY_METADATA, sharedFixture } from '../../chain/testing/shared-fixtures.js';
import { openChain, registerChainCommands } from './chain.js';

const FIXTURE = sharedFixture(FINNEY_METADATA, 'the chain command against a real-metadata node');

async function run(args: string[]): Promise<{ out: string; endpoints: string[] }> {
  let out = '';
  const endpoints: string[] = [];
  const program = new Command('bittaudio').exitOverride();
  registerChainCommands(program, {
    out: (text) => (out += `${text}\n`),
    open: (endpoint) => {
      endpoints.push(endpoint);
      return openChain(endpoint);
    },
  });
  await program.parseAsync(['node', 'bittaudio', ...args]);
  return { out, endpoints };
}

describe('bittaudio chain', () => {
  it('reads the metagraph of the devnet by default', async () => {
    const { out, endpoints } = await run(['chain', 'metagraph', '--netuid', '50']);
    expect(endpoints).toEqual(['devnet']);
    expect(out).toMatch(/Subnet 50 at block \d+ \(tempo 10\): 4 uids/);
    expect(out).toMatch(/^0 +5\w{47} +1000 .* yes/m);
  });

  it('prints JSON with bigints as strings', async () => {
    const { out } = await run(['chain', 'metagraph', '--netuid', '50', '--json']);
    const graph = JSON.parse(out) as { netuid: number; neurons: { alphaStake: string }[] };
    expect(graph.netuid).toBe(50);
    expect(graph.neurons[0]?.alphaStake).toBe('1000000000000');
  });

  it('shows hyperparameters with the burn in TAO', async () => {
    const { out } = await run(['chain', 'hyperparameters', '--netuid', '50']);
    expect(out).toMatch(/^tempo +10$/m);
    expect(out).toMatch(/^burn +\d+(\.\d+)?$/m);
  });

  it('refuses an unknown network before connecting anywhere', async () => {
    await expect(run(['chain', 'metagraph', '--netuid', '50', '--subtensor.network', 'moonnet'])).rejects.toThrow(
      /Unknown network "moonnet"/,
    );
  });

  it.skipIf(FIXTURE === undefined)('reads a real node with --subtensor.chain_endpoint (the Python flag)', async () => {
    const node = await FakeSubtensorNode.start({ metadata: readFileSync(FIXTURE ?? '') });
    try {
      answerMetagraph(node, [
        '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY',
        '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty',
      ]);
      const { out, endpoints } = await run([
        'chain',
        'metagraph',
        '--netuid',
        '50',
        '--subtensor.chain_endpoint',
        node.url,
      ]);
      expect(endpoints).toEqual([node.url]);
      expect(out).toMatch(/Subnet 50 at block 4000000 \(tempo 360\): 2 uids/);
      expect(out).toContain('198.51.100.20:8091');
    } finally {
      await node.stop();
    }
  });
});
