/**
 * kill -9 of the built daemon while it mines on the local network, then a new daemon on the same
 * data folder: the history (SQLite rows and WAV files) is intact, the inference workers of the
 * killed daemon did not outlive it, and the miner starts again by itself and serves its axon.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { callDaemon, until } from './support/api.js';
import { startBuiltDaemon, type RunningDaemon } from './support/daemon.js';

const dataDir = mkdtempSync(join(tmpdir(), 'bittaudio-e2e-crash-'));
const daemons: RunningDaemon[] = [];
afterAll(async () => {
  for (const daemon of daemons) await daemon.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Live processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces or parentheses; the fields after its last ')' do not.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z') found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe.skipIf(process.platform !== 'linux')('kill -9 of the daemon', () => {
  it('keeps the history, leaves no worker behind, and mines again after a restart', async () => {
    const first = await startBuiltDaemon({ dataDir });
    daemons.push(first);
    const before = await until(async () => {
      const list = await callDaemon(first, 'generations.list', { limit: 50 });
      return list.items.some((item) => item.status === 'ok' && item.mediaPath) ? list : undefined;
    });
    const pid = first.process.pid ?? 0;
    const workers = childrenOf(pid);
    expect(workers.length).toBeGreaterThan(0); // the inference workers (the miner's and the local miners')

    const exited = new Promise((resolve) => first.process.once('exit', resolve));
    first.process.kill('SIGKILL');
    await exited;
    // The workers see their parent's channel close and end.
    await until(async () => (workers.every((worker) => !alive(worker)) ? true : undefined));

    const second = await startBuiltDaemon({ dataDir });
    daemons.push(second);
    const after = await callDaemon(second, 'generations.list', { limit: 200 });
    for (const item of before.items) {
      expect(after.items).toContainEqual(item);
    }
    const clip = before.items.find((item) => item.mediaPath);
    const media = await fetch(`${second.origin}/media/${clip?.mediaPath}?token=${second.token}`);
    expect(media.status).toBe(200);
    expect(
      Buffer.from(await media.arrayBuffer())
        .subarray(0, 4)
        .toString('latin1'),
    ).toBe('RIFF');

    // "The miner was running": it starts again by itself and announces its axon.
    const status = await until(async () => {
      const s = await callDaemon(second, 'neuron.status');
      return s.state === 'running' && s.axon?.servedOnChain ? s : undefined;
    });
    expect(status.uid).not.toBeNull();
  }, 180_000);
});
