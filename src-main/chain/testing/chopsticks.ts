/**
 * A real subtensor runtime for tests: @acala-network/chopsticks runs a chain spec's genesis (its
 * wasm runtime) on loopback, building a block for each transaction. Spawned as a child process so
 * its executor and logging stay out of the test process; stopped with the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { WsProvider } from '@polkadot/rpc-provider';

function chopsticksCli(): string {
  // The package's exports hide its bin; its entry point is dist/cjs/index.js.
  const entry = createRequire(import.meta.url).resolve('@acala-network/chopsticks');
  return join(dirname(entry), '..', '..', 'chopsticks.cjs');
}

export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

export class ChopsticksNode {
  private child: ChildProcess | undefined;
  private devProvider: WsProvider | undefined;

  private constructor(
    private readonly chainSpec: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  static async start(chainSpec: string): Promise<ChopsticksNode> {
    const node = new ChopsticksNode(chainSpec, await freeLoopbackPort());
    await node.spawn();
    return node;
  }

  private async spawn(timeoutMs = 90_000): Promise<void> {
    const child = spawn(
      process.execPath,
      [
        chopsticksCli(),
        '--chain-spec',
        this.chainSpec,
        '--build-block-mode',
        'Instant',
        '--host',
        '127.0.0.1',
        '--port',
        String(this.port),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`${error.message}\n${output.slice(-2000)}`));
      };
      const timer = setTimeout(
        () => fail(new Error(`chopsticks did not start within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (!output.includes(`ws://127.0.0.1:${this.port}`)) return;
        clearTimeout(timer);
        child.off('exit', onExit);
        // Keep draining its output so a full pipe never blocks the node.
        child.stdout?.off('data', onData).resume();
        child.stderr?.off('data', onData).resume();
        resolve();
      };
      const onExit = (code: number | null): void => fail(new Error(`chopsticks exited with code ${String(code)}`));
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', onExit);
    });
  }

  /** Chopsticks' dev RPC (dev_setStorage, dev_newBlock) over a connection of its own. */
  async dev(method: string, params: unknown[]): Promise<unknown> {
    if (!this.devProvider) {
      this.devProvider = new WsProvider(this.url);
      await this.devProvider.isReady;
    }
    return this.devProvider.send(method, params);
  }

  /**
   * Sets storage by pallet and item name; chopsticks encodes it with the runtime's metadata. A
   * value equal to zero/false is taken as "remove", which reads back as the item's default.
   */
  async setStorage(values: Record<string, Record<string, unknown>>): Promise<void> {
    await this.dev('dev_setStorage', [values]);
  }

  async newBlocks(count: number): Promise<void> {
    await this.dev('dev_newBlock', [{ count }]);
  }

  /** Kills the node as a crash would: its connections drop without a goodbye. */
  async stop(): Promise<void> {
    await this.devProvider?.disconnect().catch(() => undefined);
    this.devProvider = undefined;
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((done) => {
      child.once('exit', () => done());
      child.kill('SIGKILL');
    });
  }

  /** Stops and starts again on the same port: a fresh genesis, as chopsticks keeps no state. */
  async restart(): Promise<void> {
    await this.stop();
    await this.spawn();
  }
}
