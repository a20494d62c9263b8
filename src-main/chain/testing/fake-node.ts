/**
 * A stand-in subtensor node for tests: JSON-RPC over a real WebSocket on loopback, with the real
 * finney runtime metadata, so @polkadot/api builds, signs and submits exactly what it would send to
 * finney. It keeps blocks, a transaction pool with nonce rules, runtime-API answers the test sets,
 * and can drop every connection on demand.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Metadata, TypeRegistry } from '@polkadot/types';
import type { Extrinsic } from '@polkadot/types/interfaces';
import { compactToU8a, hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsHex, xxhashAsU8a } from '@polkadot/util-crypto';
import { WebSocketServer, type WebSocket } from 'ws';

export const GENESIS_HASH = '0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03';

export type DispatchOutcome = 'success' | { module: { index: number; error: number } };

interface Block {
  hash: string;
  number: number;
  parentHash: string;
  extrinsics: string[];
  events: string;
}

interface RpcError {
  code: number;
  message: string;
  data?: string;
}

export interface FakeNodeOptions {
  metadata: Uint8Array;
  specVersion?: number;
  /** Include submitted transactions in a block right away (default true). */
  autoProduce?: boolean;
}

export class FakeSubtensorNode {
  readonly registry = new TypeRegistry();
  readonly metadata: Metadata;
  readonly blocks: Block[] = [];
  readonly pool: { hex: string; hash: string; signer: string; nonce: number; watchers: Set<() => void> }[] = [];
  /** Every extrinsic that reached the pool, decoded, in arrival order. */
  readonly received: Extrinsic[] = [];
  readonly nonces = new Map<string, number>();
  /** Storage values by hex key, as SCALE hex; everything else reads as absent. */
  readonly storage = new Map<string, string>();
  /** Runtime API answers by `Api_method` name, returning the SCALE output. */
  readonly runtimeCalls = new Map<string, (input: Uint8Array) => Uint8Array>();
  /** Events the next block emits at its finalization (e.g. an epoch's rewards): pallet, event, field values. */
  readonly nextBlockEvents: [string, string, unknown[]][] = [];
  /** Decides each included extrinsic's outcome; success by default. */
  outcome: (extrinsic: Extrinsic) => DispatchOutcome = () => 'success';
  /** Set to drop every connection right after the next block is made, before telling anyone. */
  dropAfterNextBlock = false;
  /** Set to drop every connection right after the next transaction is accepted into the pool. */
  dropAfterNextAccept = false;
  autoProduce: boolean;
  url = '';

  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private nextSubscription = 1;
  private readonly headSubscribers = new Map<WebSocket, Set<string>>();
  private readonly versionSubscribers = new Map<WebSocket, string>();
  private specVersion: number;

  private constructor(private readonly options: FakeNodeOptions) {
    this.metadata = new Metadata(this.registry, options.metadata);
    this.registry.setMetadata(this.metadata);
    this.autoProduce = options.autoProduce ?? true;
    this.specVersion = options.specVersion ?? 393;
    this.blocks.push({
      hash: GENESIS_HASH,
      number: 0,
      parentHash: u8aToHex(new Uint8Array(32)),
      extrinsics: [],
      events: '0x00',
    });
    this.http = createServer();
    this.wss = new WebSocketServer({ server: this.http });
    this.wss.on('connection', (ws) => this.serve(ws));
  }

  static async start(options: FakeNodeOptions): Promise<FakeSubtensorNode> {
    const node = new FakeSubtensorNode(options);
    await new Promise<void>((resolve) => node.http.listen(0, '127.0.0.1', resolve));
    node.url = `ws://127.0.0.1:${(node.http.address() as AddressInfo).port}`;
    return node;
  }

  get head(): Block {
    return this.blocks[this.blocks.length - 1] as Block;
  }

  /** Closes every client connection, as a node restart or a network cut would. */
  dropConnections(): void {
    for (const client of this.wss.clients) client.terminate();
  }

  /** Refuses connections until `resume` (the node is "down"). */
  async pauseListening(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  async resumeListening(): Promise<void> {
    const port = Number(new URL(this.url).port);
    await new Promise<void>((resolve) => this.http.listen(port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.dropConnections();
    this.wss.close();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** Makes a block of everything in the pool (ordered by nonce) and tells subscribers. */
  produceBlock(): Block {
    const parent = this.head;
    const included = [...this.pool].sort((a, b) => a.nonce - b.nonce);
    this.pool.length = 0;
    const records: Uint8Array[] = [];
    included.forEach((tx, index) => {
      this.nonces.set(tx.signer, tx.nonce + 1);
      const outcome = this.outcome(this.registry.createType('Extrinsic', tx.hex));
      records.push(this.eventRecord(index, outcome));
    });
    for (const [pallet, event, values] of this.nextBlockEvents.splice(0)) {
      const phase = this.registry.createType('FrameSystemPhase', 'Finalization').toU8a();
      records.push(u8aConcat(phase, this.encodeEvent(pallet, event, values), new Uint8Array([0])));
    }
    const number = parent.number + 1;
    const header = this.headerJson(number, parent.hash);
    const hash = this.registry.createType('Header', header).hash.toHex();
    const block: Block = {
      hash,
      number,
      parentHash: parent.hash,
      extrinsics: included.map((tx) => tx.hex),
      events: u8aToHex(u8aConcat(compactToU8a(records.length), ...records)),
    };
    this.blocks.push(block);
    if (this.dropAfterNextBlock) {
      this.dropAfterNextBlock = false;
      this.dropConnections();
      return block;
    }
    for (const [ws, ids] of this.headSubscribers) {
      for (const id of ids) notify(ws, 'chain_newHead', id, header);
    }
    for (const tx of included) for (const watcher of tx.watchers) watcher();
    return block;
  }

  /** How many times an extrinsic with this hash was included in any block. */
  inclusions(hash: string): number {
    return this.blocks.reduce(
      (count, block) => count + block.extrinsics.filter((hex) => blake2AsHex(hex) === hash).length,
      0,
    );
  }

  /** The output type of a runtime API method, for tests that build answers. */
  runtimeOutputType(api: string, method: string): string {
    const apis = this.metadata.asLatest.apis;
    const found = apis.find((a) => a.name.toString() === api)?.methods.find((m) => m.name.toString() === method);
    if (!found) throw new Error(`No runtime API ${api}.${method} in this metadata`);
    return this.registry.createLookupType(found.output);
  }

  private headerJson(number: number, parentHash: string) {
    return {
      parentHash,
      number: `0x${number.toString(16)}`,
      stateRoot: blake2AsHex(`state-${number}`),
      extrinsicsRoot: blake2AsHex(`ext-${number}`),
      digest: { logs: [] },
    };
  }

  private eventRecord(index: number, outcome: DispatchOutcome): Uint8Array {
    const phase = this.registry.createType('FrameSystemPhase', { ApplyExtrinsic: index }).toU8a();
    const info = { weight: { refTime: 1000, proofSize: 0 }, class: 'Normal', paysFee: 'No' };
    const event =
      outcome === 'success'
        ? this.encodeEvent('System', 'ExtrinsicSuccess', [info])
        : this.encodeEvent('System', 'ExtrinsicFailed', [
            {
              Module: { index: outcome.module.index, error: u8aToHex(new Uint8Array([outcome.module.error, 0, 0, 0])) },
            },
            info,
          ]);
    return u8aConcat(phase, event, new Uint8Array([0]));
  }

  private encodeEvent(palletName: string, eventName: string, values: unknown[]): Uint8Array {
    const pallet = this.metadata.asLatest.pallets.find((p) => p.name.toString() === palletName);
    if (!pallet || pallet.events.isNone) throw new Error(`No events for ${palletName}`);
    const variant = this.registry.lookup
      .getSiType(pallet.events.unwrap().type)
      .def.asVariant.variants.find((v) => v.name.toString() === eventName);
    if (!variant) throw new Error(`No event ${palletName}.${eventName}`);
    const fields = variant.fields.map((f, i) =>
      this.registry.createType(this.registry.createLookupType(f.type), values[i]).toU8a(),
    );
    return u8aConcat(new Uint8Array([pallet.index.toNumber(), variant.index.toNumber()]), ...fields);
  }

  private serve(ws: WebSocket): void {
    this.headSubscribers.set(ws, new Set());
    ws.on('close', () => {
      this.headSubscribers.delete(ws);
      this.versionSubscribers.delete(ws);
    });
    ws.on('message', (data) => {
      const request = JSON.parse(String(data)) as { id: number; method: string; params: unknown[] };
      let result: unknown;
      try {
        result = this.handle(ws, request.method, request.params ?? []);
      } catch (error) {
        const rpc = (error as { rpc?: RpcError }).rpc ?? { code: -32000, message: String(error) };
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, error: rpc }));
        return;
      }
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, result }));
      this.afterReply?.();
      this.afterReply = undefined;
    });
  }

  private afterReply: (() => void) | undefined;

  private handle(ws: WebSocket, method: string, params: unknown[]): unknown {
    const blockAt = (hash: unknown): Block => {
      if (hash === undefined || hash === null) return this.head;
      const found = this.blocks.find((b) => b.hash === hash);
      if (!found)
        throw Object.assign(new Error('unknown block'), {
          rpc: { code: 4003, message: `Unknown block ${String(hash)}` },
        });
      return found;
    };
    switch (method) {
      case 'rpc_methods':
        return { methods: [] };
      case 'system_chain':
        return 'Bittensor';
      case 'system_properties':
        return { ss58Format: 42, tokenDecimals: 9, tokenSymbol: 'TAO' };
      case 'system_health':
        return { peers: 1, isSyncing: false, shouldHavePeers: true };
      case 'state_getMetadata':
        return u8aToHex(this.options.metadata);
      case 'state_getRuntimeVersion':
        return this.runtimeVersion();
      case 'state_subscribeRuntimeVersion': {
        const id = this.subscriptionId();
        this.versionSubscribers.set(ws, id);
        this.afterReply = () => notify(ws, 'state_runtimeVersion', id, this.runtimeVersion());
        return id;
      }
      case 'chain_getBlockHash': {
        const n = params[0];
        if (n === undefined || n === null) return this.head.hash;
        return this.blocks.find((b) => b.number === Number(n))?.hash ?? null;
      }
      case 'chain_getFinalizedHead':
        return this.head.hash;
      case 'chain_getHeader': {
        const block = blockAt(params[0]);
        return this.headerJson(block.number, block.parentHash);
      }
      case 'chain_getBlock': {
        const block = blockAt(params[0]);
        return {
          block: { header: this.headerJson(block.number, block.parentHash), extrinsics: block.extrinsics },
          justifications: null,
        };
      }
      case 'chain_subscribeNewHeads':
      case 'chain_subscribeNewHead':
      case 'chain_subscribeAllHeads':
      case 'chain_subscribeFinalizedHeads': {
        const id = this.subscriptionId();
        this.headSubscribers.get(ws)?.add(id);
        const head = this.head;
        this.afterReply = () => notify(ws, 'chain_newHead', id, this.headerJson(head.number, head.parentHash));
        return id;
      }
      case 'chain_unsubscribeNewHeads':
      case 'chain_unsubscribeNewHead':
      case 'chain_unsubscribeAllHeads':
      case 'chain_unsubscribeFinalizedHeads':
      case 'state_unsubscribeRuntimeVersion':
      case 'author_unwatchExtrinsic':
        this.headSubscribers.get(ws)?.delete(String(params[0]));
        return true;
      case 'system_accountNextIndex': {
        const address = String(params[0]);
        const pooled = this.pool.filter((tx) => tx.signer === address).map((tx) => tx.nonce + 1);
        return Math.max(this.nonces.get(address) ?? 0, ...pooled);
      }
      case 'state_getStorage': {
        const key = String(params[0]);
        const block = blockAt(params[1]);
        return key === this.eventsKey() ? block.events : (this.storage.get(key) ?? null);
      }
      case 'state_getKeysPaged': {
        const [prefix, count, startKey] = params as [string, number, string | null];
        return [...this.storage.keys()]
          .filter((key) => key.startsWith(prefix) && (!startKey || key > startKey))
          .sort()
          .slice(0, count);
      }
      case 'state_queryStorageAt': {
        const keys = params[0] as string[];
        const block = blockAt(params[1]);
        return [
          {
            block: block.hash,
            changes: keys.map((key) => [
              key,
              key === this.eventsKey() ? block.events : (this.storage.get(key) ?? null),
            ]),
          },
        ];
      }
      case 'state_call': {
        const [name, data] = params as [string, string];
        const handler = this.runtimeCalls.get(name);
        if (!handler)
          throw Object.assign(new Error(name), {
            rpc: { code: -32000, message: `No runtime call ${name} in this fake node` },
          });
        return u8aToHex(handler(hexToU8a(data)));
      }
      case 'author_submitAndWatchExtrinsic':
        return this.submit(ws, String(params[0]));
      default:
        throw Object.assign(new Error(method), { rpc: { code: -32601, message: `Method not found: ${method}` } });
    }
  }

  private submit(ws: WebSocket, hex: string): string {
    const extrinsic = this.registry.createType('Extrinsic', hex);
    const hash = extrinsic.hash.toHex();
    const signer = extrinsic.signer.toString();
    const nonce = extrinsic.nonce.toNumber();
    if (this.pool.some((tx) => tx.hash === hash)) {
      throw Object.assign(new Error('dup'), { rpc: { code: 1013, message: 'Transaction Already Imported' } });
    }
    if (nonce < (this.nonces.get(signer) ?? 0)) {
      throw Object.assign(new Error('stale'), {
        rpc: { code: 1010, message: 'Invalid Transaction', data: 'Transaction is outdated' },
      });
    }
    this.received.push(extrinsic);
    const id = this.subscriptionId();
    const watchers = new Set<() => void>();
    watchers.add(() => {
      const block = this.blocks.find((b) => b.extrinsics.includes(hex));
      if (!block) return;
      notify(ws, 'author_extrinsicUpdate', id, { inBlock: block.hash });
      notify(ws, 'author_extrinsicUpdate', id, { finalized: block.hash });
    });
    this.pool.push({ hex, hash, signer, nonce, watchers });
    this.afterReply = () => {
      notify(ws, 'author_extrinsicUpdate', id, 'ready');
      if (this.dropAfterNextAccept) {
        // The node keeps the transaction in its pool; the test makes the next block.
        this.dropAfterNextAccept = false;
        this.dropConnections();
        return;
      }
      if (this.autoProduce) setTimeout(() => this.produceBlock(), 5);
    };
    return id;
  }

  /** A runtime upgrade as clients see it: a new version on their runtime-version subscription. */
  upgradeRuntime(specVersion: number): void {
    this.specVersion = specVersion;
    for (const [ws, id] of this.versionSubscribers) notify(ws, 'state_runtimeVersion', id, this.runtimeVersion());
  }

  private runtimeVersion() {
    return {
      specName: 'node-subtensor',
      implName: 'node-subtensor',
      authoringVersion: 1,
      specVersion: this.specVersion,
      implVersion: 1,
      apis: [],
      transactionVersion: 1,
      stateVersion: 1,
    };
  }

  private eventsKey(): string {
    // A plain storage value's key: twox128(pallet) ++ twox128(item).
    return u8aToHex(u8aConcat(xxhashAsU8a('System', 128), xxhashAsU8a('Events', 128)));
  }

  private subscriptionId(): string {
    return `sub-${this.nextSubscription++}`;
  }
}

function notify(ws: WebSocket, method: string, subscription: string, result: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ jsonrpc: '2.0', method, params: { subscription, result } }));
}
