import { describe, expect, it } from 'vitest';
import { AdmissionQueue, QueueAbortedError, QueueFullError, type AdmissionTicket } from './admission-queue.js';

describe('AdmissionQueue', () => {
  it('runs up to maxConcurrent at once and admits waiters by stake, then arrival', async () => {
    const queue = new AdmissionQueue(1, 10);
    const first = await queue.admit(1n);
    const order: string[] = [];
    const wait = (name: string, stake: bigint): Promise<AdmissionTicket> =>
      queue.admit(stake).then((ticket) => {
        order.push(name);
        return ticket;
      });
    const low = wait('low', 1n);
    const high = wait('high', 100n);
    const mid1 = wait('mid1', 50n);
    const mid2 = wait('mid2', 50n);
    expect(queue.stats()).toMatchObject({ running: 1, queued: 4 });
    first.release();
    (await high).release();
    (await mid1).release();
    (await mid2).release();
    (await low).release();
    expect(order).toEqual(['high', 'mid1', 'mid2', 'low']);
    expect(queue.stats()).toMatchObject({ running: 0, queued: 0, peakQueued: 4 });
  });

  it('refuses a newcomer when the line is full of callers with as much stake', async () => {
    const queue = new AdmissionQueue(1, 1);
    await queue.admit(5n);
    void queue.admit(5n);
    await expect(queue.admit(5n)).rejects.toBeInstanceOf(QueueFullError);
    expect(queue.stats().refused).toBe(1);
  });

  it('lets a caller with more stake displace the last in line', async () => {
    const queue = new AdmissionQueue(1, 1);
    const running = await queue.admit(5n);
    const displaced = queue.admit(1n);
    const richer = queue.admit(10n);
    await expect(displaced).rejects.toBeInstanceOf(QueueFullError);
    running.release();
    await expect(richer).resolves.toBeDefined();
  });

  it('forgets a waiter whose caller went away', async () => {
    const queue = new AdmissionQueue(1, 4);
    const running = await queue.admit(1n);
    const controller = new AbortController();
    const waiting = queue.admit(1n, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(QueueAbortedError);
    expect(queue.stats().queued).toBe(0);
    running.release();
    expect(queue.stats().running).toBe(0);
  });

  it('tells whether a caller would get a place, without taking one', async () => {
    const queue = new AdmissionQueue(1, 1);
    expect(queue.canAdmit(1n)).toBe(true);
    await queue.admit(5n);
    expect(queue.canAdmit(1n)).toBe(true);
    void queue.admit(5n).catch(() => undefined);
    expect(queue.canAdmit(5n)).toBe(false);
    expect(queue.canAdmit(6n)).toBe(true);
    expect(queue.stats().queued).toBe(1);
  });

  it('releases idempotently', async () => {
    const queue = new AdmissionQueue(2, 0);
    const ticket = await queue.admit(1n);
    ticket.release();
    ticket.release();
    expect(queue.stats().running).toBe(0);
  });
});
