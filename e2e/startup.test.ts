/**
 * What the built CLI loads at start. @polkadot/api, transformers.js, onnxruntime and libsodium
 * cost over a second and ~100 MiB together; `--version`, `--help` and the daemon must not load
 * them, and the commands that need them must. Recorded with a module-resolution hook, so this is
 * about which modules load, not about time (start-up times live in bench/RESULTS.md).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/daemon.js';

const HEAVY = ['@polkadot/api', '@polkadot/util-crypto', '@huggingface/transformers', 'onnxruntime-node', 'libsodium'];

const dir = mkdtempSync(join(tmpdir(), 'bittaudio-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'hooks.mjs'),
  `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (!result.url.startsWith('node:')) appendFileSync(process.env.BITTAUDIO_TEST_MODULE_LOG, result.url + '\\n');
  return result;
}
`,
);
writeFileSync(
  join(dir, 'register.mjs'),
  `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`,
);

let runs = 0;

/** Runs the built CLI until it exits, or until `until` matches its stdout; returns the modules it resolved. */
function modulesLoadedBy(args: string[], until?: RegExp): Promise<string[]> {
  const log = join(dir, `modules-${runs++}.log`);
  writeFileSync(log, '');
  const dataDir = mkdtempSync(join(dir, 'data-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', join(dir, 'register.mjs'), 'dist/main/cli.js', ...args], {
      cwd: repoRoot,
      env: { ...process.env, BITTAUDIO_TEST_MODULE_LOG: log, BITTAUDIO_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const read = (): string[] => readFileSync(log, 'utf8').split('\n').filter(Boolean);
    // What had loaded when `until` showed: the daemon goes on to start its network after the link.
    let atUntil: string[] | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (atUntil === null && until?.test(output)) {
        atUntil = read();
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0 || (until && (signal === 'SIGTERM' || atUntil))) resolve(atUntil ?? read());
      else reject(new Error(`exited with ${code ?? signal}:\n${output}`));
    });
  });
}

const heavyIn = (modules: string[]): string[] =>
  HEAVY.filter((name) => modules.some((url) => url.includes(`/node_modules/${name}`)));

describe('start-up of the built CLI', () => {
  it('--version loads none of the heavy libraries', async () => {
    const modules = await modulesLoadedBy(['--version']);
    expect(modules.length).toBeGreaterThan(0);
    expect(heavyIn(modules)).toEqual([]);
  });

  it('the daemon prints its link without loading them', async () => {
    const modules = await modulesLoadedBy(['daemon', '--port', '0'], /Open the app: http/);
    expect(modules.some((url) => url.includes('/node_modules/better-sqlite3'))).toBe(true);
    expect(heavyIn(modules)).toEqual([]);
  });

  it('a command that needs the chain libraries does load them (the hook sees them)', async () => {
    const modules = await modulesLoadedBy(['wallet', 'list', '--wallet.path', join(dir, 'no-wallets')]);
    expect(heavyIn(modules)).toContain('@polkadot/util-crypto');
  });
});
