// Requests per second of small synapses on loopback (issue #4): our dendrite pinging our axon's
// /Synapse route, signature and nonce checks included, at several concurrency levels; and one
// 30 s MusicGeneration answer end to end. Builds the net code with esbuild into a temp folder.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = mkdtempSync(join(root, 'node_modules', '.bench-axon-'));
const entry = join(out, 'entry.ts');
writeFileSync(
  entry,
  `export { Axon, Dendrite } from '${root}/src-main/net/index.ts';
export { PingSynapse, baseSynapseDefaults } from '${root}/src-shared/synapse/synapse.ts';
export { MusicGenerationSynapse, musicGeneration } from '${root}/src-shared/synapse/music-generation.ts';
export { Keyring } from '@polkadot/keyring';
export { cryptoWaitReady } from '@polkadot/util-crypto';`,
);
await build({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: join(out, 'net.mjs'),
  packages: 'external',
  logLevel: 'warning',
});
const net = await import(pathToFileURL(join(out, 'net.mjs')).href);

await net.cryptoWaitReady();
const keyring = new net.Keyring({ type: 'sr25519', ss58Format: 42 });
const validator = keyring.addFromUri('//Alice');
const miner = keyring.addFromUri('//Bob');
const metagraph = {
  caller: (hotkey) =>
    hotkey === validator.address ? { hotkey, uid: 0, stake: 1_000_000_000_000_000n, validatorPermit: true } : undefined,
};
const audio = Float32Array.from({ length: 30 * 32000 }, (_, i) => 0.5 * Math.sin(i / 10));
const axon = new net.Axon({ hotkey: miner, metagraph });
axon.attach(net.MusicGenerationSynapse, async (synapse) => ({ ...synapse, music_output: audio }));
const { port } = await axon.start({ port: 0, host: '127.0.0.1' });
const target = { hotkey: miner.address, ip: '127.0.0.1', port };

/**
 * `concurrency` validators (one dendrite each: the protocol requires increasing nonces per
 * dendrite, so one dendrite talks to one axon a request at a time) pinging the axon together.
 */
async function pings(total, concurrency) {
  const dendrites = Array.from({ length: concurrency }, () => new net.Dendrite({ hotkey: validator }));
  let sent = 0;
  let ok = 0;
  const codes = {};
  const started = performance.now();
  await Promise.all(
    dendrites.map(async (dendrite) => {
      while (sent < total) {
        sent++;
        const reply = await dendrite.call(
          target,
          { ...net.baseSynapseDefaults('Synapse') },
          { timeoutSeconds: 30, definition: net.PingSynapse },
        );
        if (reply.dendrite.status_code === 200) ok++;
        codes[reply.dendrite.status_code] = (codes[reply.dendrite.status_code] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const dendrite of dendrites) dendrite.close();
  return { total, concurrency, ok, codes, seconds, rps: total / seconds };
}

await pings(100, 8); // warm-up
const rows = [];
for (const concurrency of [1, 8, 32]) rows.push(await pings(Number(process.env.BENCH_PINGS ?? 1000), concurrency));

const dendrite = new net.Dendrite({ hotkey: validator });
const t0 = performance.now();
const reply = await dendrite.call(target, net.musicGeneration({ text_input: 'bench', duration: 1500 }), {
  timeoutSeconds: 60,
});
const musicMs = performance.now() - t0;
dendrite.close();
await axon.stop();
rmSync(out, { recursive: true, force: true });

console.log(
  `Machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log('');
console.log('| measure | value |');
console.log('| --- | --- |');
for (const r of rows) {
  console.log(
    `| /Synapse pings, ${r.concurrency} dendrites at once (${r.ok}/${r.total} ok; ${JSON.stringify(r.codes)}) | ${r.rps.toFixed(0)} requests/s |`,
  );
}
console.log(
  `| one 30 s MusicGeneration answer (960k samples) end to end, handler instant | ${musicMs.toFixed(0)} ms (status ${reply.dendrite.status_code}, ${reply.music_output?.length ?? 0} samples) |`,
);
