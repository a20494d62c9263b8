import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../testing/temp-dir.js';
import { obfuscatePassword, passwordEnvVarName } from '../../wallet/env-password.js';
import { WalletError } from '../../wallet/errors.js';
import { WalletStore } from '../../wallet/store.js';
import { cachedNaclKdf } from '../../wallet/test-kdf.js';
import { TV10, TV9 } from '../../wallet/wire-protocol-vectors.js';
import { registerWalletCommands, type WalletCliIo } from './wallet.js';

const tempDir = useTempDirs();
// Keys here are sealed with TV-10's password, whose Argon2i key the cached kdf already holds.
const PASSWORD = TV10.password;
const kdf = cachedNaclKdf();

interface Run {
  out: string;
  err: string;
  /** The questions the prompt was asked, in order. */
  asked: string[];
  error?: unknown;
}

/** Runs `bittaudio <args>` with a fake terminal: `answers` are typed at the hidden prompts, null means no terminal. */
async function run(
  args: string[],
  options: { answers?: string[] | null; env?: NodeJS.ProcessEnv; home?: string } = {},
): Promise<Run> {
  const result: Run = { out: '', err: '', asked: [] };
  const answers = options.answers === undefined ? [] : options.answers;
  const io: WalletCliIo = {
    out: (text) => (result.out += text),
    err: (text) => (result.err += text),
    promptSecret:
      answers === null
        ? null
        : async (question) => {
            result.asked.push(question);
            const answer = answers.shift();
            if (answer === undefined) throw new Error(`unexpected prompt: ${question}`);
            return answer;
          },
    env: options.env ?? {},
    home: options.home ?? tempDir(),
    kdf,
  };
  const program = new Command('bittaudio');
  registerWalletCommands(program, io);
  const capture = (command: Command): void => {
    command.exitOverride().configureOutput({ writeOut: (s) => (result.out += s), writeErr: (s) => (result.err += s) });
    command.commands.forEach(capture);
  };
  capture(program);
  try {
    await program.parseAsync(['node', 'bittaudio', ...args]);
  } catch (error) {
    result.error = error;
  }
  return result;
}

const addresses = (text: string): string[] => text.match(/\b5[1-9A-HJ-NP-Za-km-z]{47}\b/g) ?? [];
const mnemonics = (text: string): string[] =>
  text.match(/^ {4}([a-z]+(?: [a-z]+){11,23})$/gm)?.map((m) => m.trim()) ?? [];

function walletError(result: Run): WalletError {
  expect(result.error).toBeInstanceOf(WalletError);
  return result.error as WalletError;
}

describe('bittaudio wallet: help', () => {
  it('lists its commands', async () => {
    const { out } = await run(['wallet', '--help']);
    for (const command of ['create', 'regen', 'list', 'show']) expect(out).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(out).toMatch(/coldkeypub\.txt/);
  });

  it('documents btcli’s flag names and how passwords are given', async () => {
    const create = (await run(['wallet', 'create', '--help'])).out;
    for (const flag of ['--wallet.name', '--wallet.hotkey', '--wallet.path', '--n-words', '--overwrite']) {
      expect(create).toContain(flag);
    }
    expect(create).toMatch(/BT_PW__HOME_ALICE__BITTENSOR_WALLETS_DEFAULT_COLDKEY/);
    expect(create).toMatch(/no password flag on purpose/);
    const regen = (await run(['wallet', 'regen', '--help'])).out;
    for (const flag of ['--coldkey', '--hotkey', '--coldkeypub', '--mnemonic', '--seed', '--ss58', '--use-password']) {
      expect(regen).toContain(flag);
    }
    expect((await run(['wallet', 'list', '--help'])).out).toMatch(/Needs no password/);
    expect((await run(['wallet', 'show', '--help'])).out).toContain('--verify-password');
  });
});

describe('bittaudio wallet: create, list, show, regen', () => {
  it('creates a wallet, lists and shows it, and regenerates the same addresses elsewhere', async () => {
    const root = tempDir();
    const path = ['--wallet.path', root];

    const created = await run(['wallet', 'create', '--wallet.name', 'alice', '--wallet.hotkey', 'miner', ...path], {
      answers: [PASSWORD, PASSWORD],
    });
    expect(created.error).toBeUndefined();
    expect(created.asked).toEqual([
      'Choose a password for the coldkey of wallet "alice" (at least 6 characters): ',
      'Type it again: ',
    ]);
    const [coldMnemonic, hotMnemonic] = mnemonics(created.out);
    expect(coldMnemonic?.split(' ')).toHaveLength(12);
    expect(hotMnemonic?.split(' ')).toHaveLength(12);
    expect(created.out.split(coldMnemonic ?? '?')).toHaveLength(2); // shown exactly once
    expect(created.out).toMatch(/Write down this mnemonic now and keep it offline/);
    expect(created.out).toMatch(/will not be shown again/);
    const [coldAddress, hotAddress] = addresses(created.out);

    const listed = await run(['wallet', 'list', ...path]);
    expect(listed.out).toContain(`Wallets in ${root}`);
    expect(listed.out).toMatch(new RegExp(`coldkey\\s+${coldAddress}  encrypted`));
    expect(listed.out).toMatch(new RegExp(`hotkey miner\\s+${hotAddress}$`, 'm'));

    const shown = await run(['wallet', 'show', '--wallet.name', 'alice', ...path, '--json']);
    expect(JSON.parse(shown.out)).toMatchObject({
      name: 'alice',
      coldkey: { ss58Address: coldAddress, encrypted: true },
      hotkeys: [{ name: 'miner', ss58Address: hotAddress, encrypted: false }],
    });

    const coldCopy = await run(
      [
        'wallet',
        'regen',
        '--coldkey',
        '--wallet.name',
        'copy',
        ...path,
        '--mnemonic',
        ...(coldMnemonic ?? '').split(' '),
      ],
      { answers: [PASSWORD, PASSWORD] },
    );
    expect(coldCopy.error).toBeUndefined();
    expect(coldCopy.out).toBe(`Restored the coldkey of wallet "copy": ${coldAddress}\n`);
    // --mnemonic without words asks for them with hidden input.
    const hotCopy = await run(
      ['wallet', 'regen', '--hotkey', '--wallet-name', 'copy', '--wallet-hotkey', 'miner', ...path, '--mnemonic'],
      {
        answers: [hotMnemonic ?? ''],
      },
    );
    expect(hotCopy.asked).toEqual(['Mnemonic (hidden): ']);
    expect(hotCopy.out).toBe(`Restored hotkey "miner" of wallet "copy": ${hotAddress}\n`);

    const store = new WalletStore({ root, env: {}, kdf });
    expect((await store.loadColdkeyPair('copy', PASSWORD)).address).toBe(coldAddress);
    expect((await store.loadHotkeyPair('copy', 'miner')).address).toBe(hotAddress);
  });

  it('adds a hotkey to a wallet that has a coldkey, without asking for a password', async () => {
    const root = tempDir();
    await run(['wallet', 'create', '--wallet.path', root], { answers: [PASSWORD, PASSWORD] });
    const second = await run(['wallet', 'create', '--wallet.path', root, '--wallet.hotkey', 'second'], { answers: [] });
    expect(second.error).toBeUndefined();
    expect(second.err).toMatch(/already has a coldkey; keeping it and adding hotkey "second"/);
    expect(mnemonics(second.out)).toHaveLength(1);
    expect(readdirSync(join(root, 'default', 'hotkeys')).sort()).toEqual([
      'default',
      'defaultpub.txt',
      'second',
      'secondpub.txt',
    ]);
    const again = await run(['wallet', 'create', '--wallet.path', root, '--wallet.hotkey', 'second']);
    expect(walletError(again).code).toBe('exists');
  });

  it('takes the wallet name and folder from BT_WALLET_NAME and BT_WALLET_PATH', async () => {
    const root = tempDir();
    const env = { BT_WALLET_PATH: root, BT_WALLET_NAME: 'fromenv', BT_WALLET_HOTKEY: 'hk' };
    await run(['wallet', 'regen', '--hotkey', '--seed', TV9.secretSeed], { env });
    expect(existsSync(join(root, 'fromenv', 'hotkeys', 'hk'))).toBe(true);
    expect((await run(['wallet', 'show'], { env })).out).toMatch(/\(no public file|no coldkey file/);
  });

  it('writes a watch-only coldkeypub from an address', async () => {
    const root = tempDir();
    const result = await run([
      'wallet',
      'regen',
      '--coldkeypub',
      '--wallet.name',
      'watch',
      '--wallet.path',
      root,
      '--ss58',
      TV9.ss58Address,
    ]);
    expect(result.out).toBe(`Wrote coldkeypub.txt of wallet "watch": ${TV9.ss58Address}\n`);
    expect((await run(['wallet', 'show', '--wallet.name', 'watch', '--wallet.path', root])).out).toContain(
      TV9.ss58Address,
    );
  });

  it('says so when there are no wallets', async () => {
    const root = tempDir();
    expect((await run(['wallet', 'list', '--wallet.path', root])).out).toBe(
      `No wallets in ${root}. Make one with: bittaudio wallet create\n`,
    );
  });
});

describe('bittaudio wallet: passwords', () => {
  it('fails clearly without a terminal or a BT_PW_ variable, and writes nothing', async () => {
    const root = tempDir();
    const result = await run(['wallet', 'create', '--wallet.path', root], { answers: null });
    const error = walletError(result);
    expect(error.code).toBe('password_required');
    expect(error.message).toMatch(/no terminal to ask for it/);
    expect(error.message).toContain(passwordEnvVarName(join(root, 'default', 'coldkey')));
    expect(existsSync(join(root, 'default', 'coldkey'))).toBe(false);
  });

  it('takes the password from the BT_PW_ variable when there is no terminal', async () => {
    const root = tempDir();
    const name = passwordEnvVarName(join(root, 'default', 'coldkey'));
    const env = { [name]: obfuscatePassword(PASSWORD, name) };
    const result = await run(['wallet', 'regen', '--coldkey', '--wallet.path', root, '--seed', TV9.secretSeed], {
      answers: null,
      env,
    });
    expect(result.error).toBeUndefined();
    expect(result.err).toContain(`Using the password from ${name}`);
    expect(result.err + result.out).not.toContain(PASSWORD);
    expect(result.out).toContain(TV9.ss58Address);
    expect(
      (await run(['wallet', 'show', '--wallet.path', root, '--verify-password'], { answers: null, env })).out,
    ).toMatch(/Password OK/);
  });

  // A wrong password costs one real Argon2i derivation (the cached kdf knows only the right one).
  it(
    'password-env checks the password, then prints the variable that opens the key without a terminal',
    { timeout: 60_000 },
    async () => {
      const root = tempDir();
      await run(['wallet', 'create', '--wallet.path', root], { answers: [PASSWORD, PASSWORD] });
      const wrong = await run(['wallet', 'password-env', '--wallet.path', root], { answers: ['not the password'] });
      expect(walletError(wrong).code).toBe('wrong_password');
      expect(wrong.out).toBe('');

      const printed = await run(['wallet', 'password-env', '--wallet.path', root], { answers: [PASSWORD] });
      expect(printed.error).toBeUndefined();
      expect(printed.asked).toEqual(['Password of the coldkey of wallet "default": ']);
      const line = /^(BT_PW_[^=]+)=(\S+)\n$/.exec(printed.out);
      expect(line?.[1]).toBe(passwordEnvVarName(join(root, 'default', 'coldkey')));
      expect(printed.out + printed.err).not.toContain(PASSWORD);
      // The printed line is what a service would be given: it opens the coldkey with no terminal.
      const env = { [line?.[1] ?? '']: line?.[2] ?? '' };
      const verified = await run(['wallet', 'show', '--wallet.path', root, '--verify-password'], {
        answers: null,
        env,
      });
      expect(verified.out).toMatch(/Password OK/);

      const noTerminal = await run(['wallet', 'password-env', '--wallet.path', root], { answers: null });
      expect(walletError(noTerminal).code).toBe('password_required');
    },
  );

  it('show takes --wallet.hotkey as btcli users type it, and names the hotkeys when it is wrong', async () => {
    const root = tempDir();
    await run(['wallet', 'create', '--wallet.path', root, '--wallet.hotkey', 'gpu0'], {
      answers: [PASSWORD, PASSWORD],
    });
    await run(['wallet', 'create', '--wallet.path', root, '--wallet.hotkey', 'gpu1']);
    const one = await run(['wallet', 'show', '--wallet.path', root, '--wallet.hotkey', 'gpu1', '--json']);
    expect(one.error).toBeUndefined();
    expect((JSON.parse(one.out) as { hotkeys: { name: string }[] }).hotkeys.map((h) => h.name)).toEqual(['gpu1']);
    const missing = await run(['wallet', 'show', '--wallet.path', root, '--wallet.hotkey', 'gpu9']);
    expect(walletError(missing).message).toMatch(/has no hotkey "gpu9" \(its hotkeys: gpu0, gpu1\)/);
  });

  it('refuses two different passwords, and short ones, writing nothing', async () => {
    const root = tempDir();
    const differ = await run(['wallet', 'create', '--wallet.path', root], { answers: [PASSWORD, `${PASSWORD}!`] });
    expect(walletError(differ).message).toMatch(/the two passwords differ/);
    const short = await run(['wallet', 'create', '--wallet.path', root], { answers: ['abc'] });
    expect(walletError(short).message).toMatch(/at least 6 characters/);
    expect(readdirSync(root)).toEqual([]);
  });

  it(
    'reports a wrong password when verifying, without echoing it (a real derivation)',
    { timeout: 60_000 },
    async () => {
      const root = tempDir();
      await run(['wallet', 'regen', '--coldkey', '--wallet.path', root, '--mnemonic', TV9.mnemonic], {
        answers: [PASSWORD, PASSWORD],
      });
      const right = await run(['wallet', 'show', '--wallet.path', root, '--verify-password'], { answers: [PASSWORD] });
      expect(right.out).toContain(`Password OK: the coldkey opens (${TV9.ss58Address})`);
      const wrong = await run(['wallet', 'show', '--wallet.path', root, '--verify-password'], {
        answers: ['letmein-wrong'],
      });
      const error = walletError(wrong);
      expect(error.code).toBe('wrong_password');
      expect(error.message).not.toContain('letmein');
    },
  );
});

describe('bittaudio wallet regen: arguments', () => {
  it('needs exactly one target and exactly one source', async () => {
    const root = tempDir();
    expect(
      walletError(await run(['wallet', 'regen', '--wallet.path', root, '--seed', TV9.secretSeed])).message,
    ).toMatch(/exactly one of --coldkey, --hotkey, --coldkeypub/);
    expect(
      walletError(
        await run(['wallet', 'regen', '--hotkey', '--wallet.path', root, '--seed', TV9.secretSeed, '--mnemonic', 'a']),
      ).message,
    ).toMatch(/exactly one of --mnemonic or --seed/);
    expect(walletError(await run(['wallet', 'regen', '--coldkeypub', '--wallet.path', root])).message).toMatch(
      /--ss58 or --public-key/,
    );
    expect(readdirSync(root)).toEqual([]);
  });

  it('refuses a bad mnemonic without printing it', async () => {
    const root = tempDir();
    const result = await run([
      'wallet',
      'regen',
      '--hotkey',
      '--wallet.path',
      root,
      '--mnemonic',
      ...'zebra '.repeat(12).trim().split(' '),
    ]);
    expect(walletError(result).code).toBe('invalid_input');
    expect(walletError(result).message).not.toContain('zebra');
  });

  it('rejects an unsupported word count', async () => {
    const result = await run(['wallet', 'create', '--n-words', '13']);
    expect(result.err).toMatch(/a mnemonic has 12, 15, 18, 21, 24 words/);
  });
});
