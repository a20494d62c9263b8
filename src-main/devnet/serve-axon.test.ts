import { describe, expect, it } from 'vitest';
import { encodeIp } from '../chain/ip.js';
import { outcome, testNet } from './test-fixtures.js';

describe('serve_axon', () => {
  it('stores the axon with the block it was served in, and the metagraph shows it', async () => {
    const { chain, netuid, actor, register, events } = await testNet();
    const bob = actor('Bob');
    await register(bob);
    chain.advance(2);
    const result = await chain.serveAxon(bob.hotkey, { netuid, ip: '203.0.113.7', port: 8091, version: 10002000 });
    expect(result).toMatchObject({ ok: true, blockNumber: 2 });
    const neuron = (await chain.metagraph(netuid)).neurons[0];
    expect(neuron?.axon).toEqual({
      block: 2,
      version: 10002000,
      ip: '203.0.113.7',
      port: 8091,
      ipType: 4,
      protocol: 4,
    });
    expect(events.at(-1)).toMatchObject({ type: 'AxonServed', netuid, hotkey: bob.hotkey.address, block: 2 });
  });

  it('stores IPv6 addresses in canonical text with ip type 6', async () => {
    const { chain, netuid, actor, register } = await testNet();
    const bob = actor('Bob');
    await register(bob);
    const result = await chain.serveAxon(bob.hotkey, {
      netuid,
      ip: '2001:db8:0:0:0:0:0:1',
      port: 1,
      version: 1,
      protocol: 0,
    });
    expect(outcome(result)).toBe('ok');
    expect((await chain.metagraph(netuid)).neurons[0]?.axon).toMatchObject({
      ip: '2001:db8::1',
      ipType: 6,
      protocol: 0,
    });
  });

  it('refuses a hotkey that is registered nowhere (HotKeyNotRegisteredInNetwork), before any IP check', async () => {
    const { chain, netuid, actor } = await testNet();
    const bob = actor('Bob');
    const result = await chain.serveAxon(bob.hotkey, { netuid, ip: '127.0.0.1', port: 0, version: 1 });
    expect(outcome(result)).toBe('HotKeyNotRegisteredInNetwork');
    if (!result.ok) expect(result.error.message).toMatch(/Register it/);
  });

  it('accepts a hotkey registered on another subnet, as the chain does', async () => {
    const { chain, actor, register } = await testNet();
    chain.createSubnet(2, { tempo: 10 });
    const bob = actor('Bob');
    await register(bob);
    expect(outcome(await chain.serveAxon(bob.hotkey, { netuid: 2, ip: '1.2.3.4', port: 9, version: 1 }))).toBe('ok');
  });

  it('refuses ip types other than 4 and 6 (InvalidIpType)', async () => {
    const { chain, netuid, actor, register } = await testNet();
    const bob = actor('Bob');
    await register(bob);
    const raw = { netuid, version: 1, ip: encodeIp('1.2.3.4').ip, port: 8091, protocol: 4 };
    expect(outcome(await chain.serveAxonRaw(bob.hotkey, { ...raw, ipType: 5 }))).toBe('InvalidIpType');
    expect(outcome(await chain.serveAxonRaw(bob.hotkey, { ...raw, ipType: 4 }))).toBe('ok');
  });

  it('refuses loopback, all-ones and unparseable addresses (InvalidIpAddress) but allows 0.0.0.0', async () => {
    const { chain, netuid, actor, register } = await testNet();
    const bob = actor('Bob');
    await register(bob);
    for (const ip of ['127.0.0.1', '255.255.255.255', '::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'localhost']) {
      const result = await chain.serveAxon(bob.hotkey, { netuid, ip, port: 8091, version: 1 });
      expect(outcome(result), ip).toBe('InvalidIpAddress');
    }
    const v4InV6Slot = await chain.serveAxonRaw(bob.hotkey, {
      netuid,
      version: 1,
      ip: 1n << 40n,
      port: 1,
      ipType: 4,
      protocol: 4,
    });
    expect(outcome(v4InV6Slot)).toBe('InvalidIpAddress');
    expect(outcome(await chain.serveAxon(bob.hotkey, { netuid, ip: '0.0.0.0', port: 8091, version: 1 }))).toBe('ok');
  });

  it('accepts 127.0.0.1 only in the local-only mode, and still refuses ::1 and all-ones there', async () => {
    const { chain, netuid, actor, register } = await testNet(undefined, { acceptLoopbackAxonIp: true });
    const bob = actor('Bob');
    await register(bob);
    for (const ip of ['255.255.255.255', '::1']) {
      expect(outcome(await chain.serveAxon(bob.hotkey, { netuid, ip, port: 8091, version: 1 })), ip).toBe(
        'InvalidIpAddress',
      );
    }
    expect(outcome(await chain.serveAxon(bob.hotkey, { netuid, ip: '127.0.0.1', port: 8091, version: 1 }))).toBe('ok');
    expect((await chain.metagraph(netuid)).neurons[0]?.axon).toMatchObject({ ip: '127.0.0.1', port: 8091 });
  });

  it('refuses port 0 (InvalidPort)', async () => {
    const { chain, netuid, actor, register } = await testNet();
    const bob = actor('Bob');
    await register(bob);
    expect(outcome(await chain.serveAxon(bob.hotkey, { netuid, ip: '1.2.3.4', port: 0, version: 1 }))).toBe(
      'InvalidPort',
    );
  });

  it('rate-limits serving to ServingRateLimit blocks, checked before the port', async () => {
    const { chain, netuid, actor, register } = await testNet({ servingRateLimit: 5 });
    const bob = actor('Bob');
    await register(bob);
    const serve = (port = 8091) => chain.serveAxon(bob.hotkey, { netuid, ip: '1.2.3.4', port, version: 1 });
    chain.advance(1);
    expect(outcome(await serve())).toBe('ok');
    chain.advance(4);
    const early = await serve();
    expect(outcome(early)).toBe('ServingRateLimitExceeded');
    if (!early.ok) expect(early.error.message).toContain('block 6');
    expect(outcome(await serve(0))).toBe('ServingRateLimitExceeded');
    chain.advance(1);
    expect(outcome(await serve(0))).toBe('InvalidPort');
    expect(outcome(await serve(9000))).toBe('ok');
    expect((await chain.metagraph(netuid)).neurons[0]?.axon).toMatchObject({ block: 6, port: 9000 });
  });

  it('does not rate-limit an axon served in block 0 (the chain skips last_serve == 0)', async () => {
    const { chain, netuid, actor, register } = await testNet({ servingRateLimit: 50 });
    const bob = actor('Bob');
    await register(bob);
    const serve = () => chain.serveAxon(bob.hotkey, { netuid, ip: '1.2.3.4', port: 1, version: 1 });
    expect(outcome(await serve())).toBe('ok');
    expect(outcome(await serve())).toBe('ok');
  });

  it('refuses a subnet that does not exist and arguments that do not encode', async () => {
    const { chain, netuid, actor, register } = await testNet();
    const bob = actor('Bob');
    await register(bob);
    expect(outcome(await chain.serveAxon(bob.hotkey, { netuid: 9, ip: '1.2.3.4', port: 1, version: 1 }))).toBe(
      'SubnetNotExists',
    );
    expect(outcome(await chain.serveAxon(bob.hotkey, { netuid, ip: '1.2.3.4', port: 70000, version: 1 }))).toBe(
      'InvalidTransaction',
    );
  });
});
