import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../testing/temp-dir.js';
import { createProgram } from './cli.js';
import { startDaemon } from './daemon.js';

const tempDir = useTempDirs();

async function helpOf(args: string[]): Promise<string> {
  let out = '';
  const program = (await createProgram(args))
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  for (const command of program.commands)
    command.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  try {
    await program.parseAsync(['node', 'bittaudio', ...args]);
  } catch {
    // commander throws after printing help or an error under exitOverride
  }
  return out;
}

describe('bittaudio CLI', () => {
  it('lists its commands with real help texts', async () => {
    const help = await helpOf(['--help']);
    expect(help).toMatch(/Usage: bittaudio/);
    expect(help).toMatch(/daemon .*headless/s);
  });

  it('documents the daemon’s flags, defaults and remote use', async () => {
    const help = await helpOf(['daemon', '--help']);
    for (const flag of ['--port', '--listen', '--allow-host', '--data-dir']) expect(help).toContain(flag);
    expect(help).toContain('127.0.0.1');
    expect(help).toMatch(/ssh -L/);
  });

  it('rejects a bad port with a reason', async () => {
    expect(await helpOf(['daemon', '--port', 'seventy'])).toMatch(/a port is a number from 0 to 65535/);
  });

  it('lists every command group without loading it, and loads the one that is asked for', async () => {
    const top = await helpOf(['--help']);
    for (const group of ['wallet', 'chain', 'miner', 'validator', 'generate', 'devnet'])
      expect(top).toMatch(new RegExp(`^  ${group}\\b`, 'm'));
    expect(top).toContain('Create, restore and list Bittensor wallets');
    const wallet = await helpOf(['wallet', '--help']);
    expect(wallet).toMatch(/^ {2}password-env\b/m);
    expect(await helpOf(['help', 'chain'])).toMatch(/^ {2}metagraph\b/m);
    expect(await helpOf(['generate', '--help'])).toContain('--seconds');
  });
});

describe('startDaemon', () => {
  it('prints the tokenised link and stops cleanly', async () => {
    const printed: string[] = [];
    const daemon = await startDaemon({
      dataDir: tempDir(),
      listen: '127.0.0.1',
      port: 0,
      allowHosts: [],
      staticDir: null,
      print: (t) => printed.push(t),
      printLog: () => undefined,
    });
    const link = printed.find((line) => line.startsWith('Open the app: '));
    expect(link).toBe(`Open the app: http://127.0.0.1:${daemon.server.port}/#token=${daemon.server.token}`);
    await daemon.stop();
    await daemon.stop();
  });

  it('explains a port that is already taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    await expect(
      startDaemon({
        dataDir: tempDir(),
        listen: '127.0.0.1',
        port,
        allowHosts: [],
        staticDir: null,
        print: () => undefined,
        printLog: () => undefined,
      }),
    ).rejects.toThrow(new RegExp(`Port ${port} .* already in use.*--port 0`));
    blocker.close();
  });

  it('warns when asked to listen beyond loopback', async () => {
    const logs: string[] = [];
    const daemon = await startDaemon({
      dataDir: tempDir(),
      listen: '0.0.0.0',
      port: 0,
      allowHosts: [],
      staticDir: null,
      print: () => undefined,
      printLog: (t) => logs.push(t),
    });
    expect(logs.join('\n')).toMatch(/WARN .*reachable from other machines/);
    await daemon.stop();
  });
});
