/**
 * `bittaudio wallet create|regen|list|show`: btcli-compatible wallets from our own CLI, with
 * btcli's flag names (`--wallet.name`, `--wallet.hotkey`, `--wallet.path`; the newer dashed
 * spellings work too). Passwords come only from a terminal prompt with hidden input or from the
 * BT_PW_ variable bittensor-wallet defines (wire-protocol §9.6); never from a flag, which would
 * end up in shell history and `ps`.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Chain } from '../../chain/chain.js';
import { formatTao } from '../../chain/units.js';
import type { PasswordKdf } from '../../wallet/argon2.js';
import { obfuscatePassword, passwordEnvVarName, passwordFromEnv } from '../../wallet/env-password.js';
import { WalletError } from '../../wallet/errors.js';
import { MNEMONIC_WORD_COUNTS, type MnemonicWordCount } from '../../wallet/keys.js';
import {
  DEFAULT_HOTKEY_NAME,
  DEFAULT_WALLET_NAME,
  MIN_PASSWORD_LENGTH,
  WalletStore,
  type CreatedKey,
  type KeyInfo,
  type KeySource,
  type WalletInfo,
} from '../../wallet/store.js';
import { COMMAND_GROUPS } from '../../command-groups.js';
import { addEndpointOptions, endpointOf, openChain, parseNetuid, type EndpointOptions } from './chain.js';

/** Where the wallet commands read and write; the terminal by default, a double in tests. */
export interface WalletCliIo {
  /** Results: addresses, mnemonics, listings. */
  out: (text: string) => void;
  /** Notes and warnings. */
  err: (text: string) => void;
  /** Asks with hidden input; null when there is no terminal to ask on. */
  promptSecret: ((question: string) => Promise<string>) | null;
  env: NodeJS.ProcessEnv;
  home: string;
  /** `$NACL` key derivation; only tests replace it (with a cached one). */
  kdf?: PasswordKdf;
  /** Asks a yes/no question; null when there is no terminal to ask on. */
  confirm?: ((question: string) => Promise<boolean>) | null;
  /** Opens the chain for `wallet register`; the devnet or a node by default. */
  openChain?: (endpoint: string) => Promise<Chain>;
}

/** The real terminal: stdout for results, stderr for prompts and notes. */
export function terminalIo(): WalletCliIo {
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    promptSecret: interactive ? promptHidden : null,
    confirm: interactive ? promptYesNo : null,
    env: process.env,
    home: homedir(),
  };
}

/** A plain y/N question on the terminal. */
function promptYesNo(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    rl.on('SIGINT', () => {
      rl.close();
      resolve(false);
    });
    rl.question(question, (answer) => {
      rl.close();
      resolve(/^y(es)?$/i.test(answer.trim()));
    });
  });
}

/** A readline question whose answer is not echoed (the prompt itself is). */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let muted = false;
    const output = new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        if (!muted) process.stderr.write(chunk);
        callback();
      },
    });
    const rl = createInterface({ input: process.stdin, output, terminal: true });
    rl.on('SIGINT', () => {
      rl.close();
      process.stderr.write('\n');
      reject(new WalletError('invalid_input', 'cancelled'));
    });
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true; // the question is written synchronously above; from here on, keystrokes are not
  });
}

interface WalletFlags {
  walletName?: string;
  walletPath?: string;
  walletHotkey?: string;
}

function addWalletFlags(command: Command, withHotkey: boolean): Command {
  command
    .option('--wallet.name, --wallet-name <name>', 'wallet name (default: $BT_WALLET_NAME or "default")')
    .option(
      '--wallet.path, --wallet-path <dir>',
      'folder that holds the wallets (default: $BT_WALLET_PATH or ~/.bittensor/wallets)',
    );
  if (withHotkey) {
    command.option('--wallet.hotkey, --wallet-hotkey <name>', 'hotkey name (default: $BT_WALLET_HOTKEY or "default")');
  }
  return command;
}

function parseWordCount(value: string): MnemonicWordCount {
  const words = Number(value);
  if (!(MNEMONIC_WORD_COUNTS as readonly number[]).includes(words)) {
    throw new InvalidArgumentError(`a mnemonic has ${MNEMONIC_WORD_COUNTS.join(', ')} words`);
  }
  return words as MnemonicWordCount;
}

const PASSWORD_HELP = `
Passwords are asked for on the terminal, with hidden input. Without a terminal (scripts, services),
set the variable bittensor-wallet reads, named after the key file's full path, e.g. for
/home/alice/.bittensor/wallets/default/coldkey:
  BT_PW__HOME_ALICE__BITTENSOR_WALLETS_DEFAULT_COLDKEY=<base64(password XOR variable name)>
\`bittaudio wallet password-env\` asks for the password and prints that variable for you.
There is no password flag on purpose: flags end up in shell history and process lists.`;

export function registerWalletCommands(program: Command, io: WalletCliIo = terminalIo()): Command {
  const wallet = program
    .command('wallet')
    .description(COMMAND_GROUPS.wallet)
    .addHelpText(
      'after',
      `
A wallet is a folder ~/.bittensor/wallets/<name>/ with an encrypted coldkey (holds your TAO; keep
it offline if you can) and hotkeys/ (the keys a miner or validator signs with). A miner needs only
its hotkey and coldkeypub.txt on the GPU box.`,
    );

  const context = (flags: WalletFlags) => {
    const store = new WalletStore({
      root: flags.walletPath, // unset: $BT_WALLET_PATH or ~/.bittensor/wallets
      env: io.env,
      home: io.home,
      kdf: io.kdf,
    });
    const walletName = flags.walletName ?? (io.env['BT_WALLET_NAME'] || DEFAULT_WALLET_NAME);
    const hotkeyName = flags.walletHotkey ?? (io.env['BT_WALLET_HOTKEY'] || DEFAULT_HOTKEY_NAME);
    return { store, walletName, hotkeyName };
  };

  /** A password for a key file being written: the BT_PW_ variable, or asked twice on the terminal. */
  const newPassword = async (keyfilePath: string, what: string): Promise<string> => {
    const fromEnv = passwordFromEnv(keyfilePath, io.env);
    if (fromEnv !== undefined) {
      io.err(`Using the password from ${passwordEnvVarName(keyfilePath)}.\n`);
      return fromEnv;
    }
    const prompt = requirePrompt(keyfilePath, what);
    const first = await prompt(`Choose a password for the ${what} (at least ${MIN_PASSWORD_LENGTH} characters): `);
    if (first.length < MIN_PASSWORD_LENGTH) {
      throw new WalletError('invalid_input', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    const second = await prompt('Type it again: ');
    if (first !== second) throw new WalletError('invalid_input', 'the two passwords differ; nothing was written');
    return first;
  };

  /** A password for a key file being read: the BT_PW_ variable, or asked once. */
  const existingPassword = async (keyfilePath: string, what: string): Promise<string> => {
    const fromEnv = passwordFromEnv(keyfilePath, io.env);
    if (fromEnv !== undefined) return fromEnv;
    return requirePrompt(keyfilePath, what)(`Password of the ${what}: `);
  };

  const requirePrompt = (keyfilePath: string, what: string): ((question: string) => Promise<string>) => {
    if (io.promptSecret) return io.promptSecret;
    throw new WalletError(
      'password_required',
      `the ${what} needs a password, and there is no terminal to ask for it. Run this in a terminal, or set ${passwordEnvVarName(keyfilePath)} (see \`bittaudio wallet --help\`)`,
    );
  };

  const showMnemonic = (what: string, created: CreatedKey, restore: string): void => {
    io.out(
      `\nNew ${what}: ${created.ss58Address}\n` +
        `Write down this mnemonic now and keep it offline. It is the only way to restore the ${what}, ` +
        `anyone who sees it controls the key, and it will not be shown again:\n\n` +
        `    ${created.mnemonic}\n\n` +
        `To restore it later: ${restore}\n`,
    );
  };

  addWalletFlags(
    wallet
      .command('create')
      .description(
        'Create a wallet: a new password-protected coldkey and a hotkey, each with its mnemonic shown once.',
      ),
    true,
  )
    .addOption(
      new Option('--n-words <count>', 'words in each new mnemonic').argParser(parseWordCount).default(12 as const),
    )
    .option('--overwrite', 'replace keys that already exist (their old mnemonics become the only way back)')
    .addHelpText(
      'after',
      `
If the wallet already has a coldkey, it is kept and only the hotkey is added, so the same command
makes a second hotkey: bittaudio wallet create --wallet.name alice --wallet.hotkey miner2
The hotkey is stored unencrypted, as btcli does, so a miner can start without a password.
${PASSWORD_HELP}`,
    )
    .action(async (flags: WalletFlags & { nWords: MnemonicWordCount; overwrite?: boolean }) => {
      const { store, walletName, hotkeyName } = context(flags);
      const overwrite = flags.overwrite ?? false;
      const paths = store.paths(walletName);
      const hotkeyPath = store.hotkeyPaths(walletName, hotkeyName).hotkey;
      // Checked first, so that a taken hotkey name does not leave a half-made wallet behind.
      if (!overwrite && existsSync(hotkeyPath)) {
        throw new WalletError(
          'exists',
          `${hotkeyPath} already exists; choose another --wallet.hotkey, or pass --overwrite`,
        );
      }
      if (existsSync(paths.coldkey) && !overwrite) {
        io.err(`Wallet "${walletName}" already has a coldkey; keeping it and adding hotkey "${hotkeyName}".\n`);
      } else {
        const password = await newPassword(paths.coldkey, `coldkey of wallet "${walletName}"`);
        const cold = await store.createColdkey(walletName, { password, words: flags.nWords, overwrite });
        showMnemonic('coldkey', cold, `bittaudio wallet regen --coldkey --wallet.name ${walletName} --mnemonic`);
      }
      const hot = await store.createHotkey(walletName, hotkeyName, { words: flags.nWords, overwrite });
      showMnemonic(
        'hotkey',
        hot,
        `bittaudio wallet regen --hotkey --wallet.name ${walletName} --wallet.hotkey ${hotkeyName} --mnemonic`,
      );
      io.out(`\nSaved in ${paths.dir}\n`);
    });

  addWalletFlags(
    wallet
      .command('regen')
      .description(
        'Restore a coldkey or hotkey from its mnemonic or seed, or a watch-only coldkeypub from an address.',
      ),
    true,
  )
    .option('--coldkey', 'restore the coldkey (encrypted with a new password) and coldkeypub.txt')
    .option('--hotkey', 'restore the hotkey named by --wallet.hotkey')
    .option('--coldkeypub', 'write only coldkeypub.txt, from --ss58 or --public-key (watch-only)')
    .option('--mnemonic [words...]', 'the 12–24 words; asked for with hidden input if given without words')
    .option('--seed <hex>', 'the 32-byte seed (the key file\'s "secretSeed"), 0x-prefixed hex')
    .option('--ss58 <address>', 'with --coldkeypub: the coldkey address')
    .option('--public-key <hex>', 'with --coldkeypub: the 32-byte public key, 0x-prefixed hex')
    .option('--use-password', 'with --hotkey: encrypt the hotkey too (a miner then needs the password to start)')
    .option('--overwrite', 'replace keys that already exist')
    .addHelpText(
      'after',
      `
Examples:
  bittaudio wallet regen --coldkey --wallet.name alice --mnemonic
  bittaudio wallet regen --hotkey --wallet.name alice --wallet.hotkey miner --seed 0x…
  bittaudio wallet regen --coldkeypub --wallet.name watch --ss58 5F…
Words typed on the command line stay in your shell history; --mnemonic alone asks for them instead.
${PASSWORD_HELP}`,
    )
    .action(
      async (
        flags: WalletFlags & {
          coldkey?: boolean;
          hotkey?: boolean;
          coldkeypub?: boolean;
          mnemonic?: string[] | boolean;
          seed?: string;
          ss58?: string;
          publicKey?: string;
          usePassword?: boolean;
          overwrite?: boolean;
        },
      ) => {
        const { store, walletName, hotkeyName } = context(flags);
        const targets = (['coldkey', 'hotkey', 'coldkeypub'] as const).filter((target) => flags[target]);
        if (targets.length !== 1) {
          throw new WalletError(
            'invalid_input',
            'say what to restore: exactly one of --coldkey, --hotkey, --coldkeypub',
          );
        }
        const overwrite = flags.overwrite ?? false;
        if (targets[0] === 'coldkeypub') {
          if ((flags.ss58 === undefined) === (flags.publicKey === undefined)) {
            throw new WalletError('invalid_input', '--coldkeypub needs exactly one of --ss58 or --public-key');
          }
          const address = await store.regenerateColdkeypub(
            walletName,
            flags.ss58 !== undefined ? { ss58Address: flags.ss58 } : { publicKey: flags.publicKey ?? '' },
            { overwrite },
          );
          io.out(`Wrote coldkeypub.txt of wallet "${walletName}": ${address}\n`);
          return;
        }
        const source = await keySource(flags.mnemonic, flags.seed);
        if (targets[0] === 'coldkey') {
          const path = store.paths(walletName).coldkey;
          if (!overwrite && existsSync(path)) {
            throw new WalletError('exists', `${path} already exists; pass --overwrite to replace it`);
          }
          const password = await newPassword(path, `coldkey of wallet "${walletName}"`);
          const address = await store.regenerateColdkey(walletName, source, { password, overwrite });
          io.out(`Restored the coldkey of wallet "${walletName}": ${address}\n`);
        } else {
          const path = store.hotkeyPaths(walletName, hotkeyName).hotkey;
          if (!overwrite && existsSync(path)) {
            throw new WalletError('exists', `${path} already exists; pass --overwrite to replace it`);
          }
          const password = flags.usePassword ? await newPassword(path, `hotkey "${hotkeyName}"`) : undefined;
          const address = await store.regenerateHotkey(walletName, hotkeyName, source, { password, overwrite });
          io.out(`Restored hotkey "${hotkeyName}" of wallet "${walletName}": ${address}\n`);
        }
      },
    );

  const keySource = async (mnemonic: string[] | boolean | undefined, seed: string | undefined): Promise<KeySource> => {
    if ((mnemonic === undefined) === (seed === undefined)) {
      throw new WalletError('invalid_input', 'give exactly one of --mnemonic or --seed');
    }
    if (seed !== undefined) return { seed };
    if (Array.isArray(mnemonic)) return { mnemonic: mnemonic.join(' ') };
    if (!io.promptSecret) {
      throw new WalletError('invalid_input', 'no terminal to ask for the mnemonic on; pass the words after --mnemonic');
    }
    return { mnemonic: await io.promptSecret('Mnemonic (hidden): ') };
  };

  addWalletFlags(
    wallet.command('list').description('List every wallet with its coldkey and hotkey addresses. Needs no password.'),
    false,
  )
    .option('--json', 'print JSON instead of text')
    .addHelpText(
      'after',
      '\nAddresses come from the public files (coldkeypub.txt, <hotkey>pub.txt); nothing is decrypted.',
    )
    .action(async (flags: WalletFlags & { json?: boolean }) => {
      const { store } = context(flags);
      const wallets = await store.listWallets();
      if (flags.json) {
        io.out(`${JSON.stringify(wallets, null, 2)}\n`);
        return;
      }
      if (wallets.length === 0) {
        io.out(`No wallets in ${store.root}. Make one with: bittaudio wallet create\n`);
        return;
      }
      io.out(`Wallets in ${store.root}\n\n${wallets.map(formatWallet).join('\n')}`);
    });

  addWalletFlags(
    wallet
      .command('show')
      .description(
        "Show one wallet's coldkey and hotkey addresses (only the named hotkey with --wallet.hotkey). Needs no password.",
      ),
    true,
  )
    .option('--json', 'print JSON instead of text')
    .option('--verify-password', 'also open the coldkey with its password, to check you still have it')
    .addHelpText('after', PASSWORD_HELP)
    .action(async (flags: WalletFlags & { json?: boolean; verifyPassword?: boolean }) => {
      const { store, walletName } = context(flags);
      const all = await store.showWallet(walletName);
      const info = flags.walletHotkey === undefined ? all : onlyHotkey(all, flags.walletHotkey);
      io.out(flags.json ? `${JSON.stringify(info, null, 2)}\n` : formatWallet(info));
      if (!flags.verifyPassword) return;
      const path = store.paths(walletName).coldkey;
      const pair = await store.loadColdkeyPair(
        walletName,
        await existingPassword(path, `coldkey of wallet "${walletName}"`),
      );
      if (info.coldkey.ss58Address !== null && pair.address !== info.coldkey.ss58Address) {
        throw new WalletError(
          'corrupt_file',
          `the coldkey opens, but it is ${pair.address}, not the ${info.coldkey.ss58Address} in coldkeypub.txt`,
        );
      }
      io.out(`Password OK: the coldkey opens (${pair.address}).\n`);
    });

  addWalletFlags(
    wallet
      .command('password-env')
      .description(
        "Ask for a key's password and print the BT_PW_ variable that lets services and scripts open it without a terminal.",
      ),
    true,
  )
    .option('--hotkey', 'for the hotkey named by --wallet.hotkey (an encrypted hotkey), not the coldkey')
    .addHelpText(
      'after',
      `
The password is checked by opening the key (a few seconds for a coldkey) before anything is printed.
The line goes to stdout, ready for a systemd EnvironmentFile or, with \`export\` in front, a shell:
  bittaudio wallet password-env --wallet.name miner1 > ~/.config/bittaudio/miner1.env
The value only hides the password from a glance (btcli's format: base64 of the password XOR the
variable's name): whoever reads it has the password. Keep such files private (mode 0600).`,
    )
    .action(async (flags: WalletFlags & { hotkey?: boolean }) => {
      const { store, walletName, hotkeyName } = context(flags);
      const paths = store.paths(walletName);
      if (!existsSync(flags.hotkey ? paths.hotkeysDir : paths.coldkey)) await store.showWallet(walletName);
      const keyfile = flags.hotkey ? store.hotkeyPaths(walletName, hotkeyName).hotkey : paths.coldkey;
      const what = flags.hotkey
        ? `hotkey "${hotkeyName}" of wallet "${walletName}"`
        : `coldkey of wallet "${walletName}"`;
      if (!io.promptSecret) {
        throw new WalletError('password_required', 'this command asks for the password on a terminal; run it in one');
      }
      const password = await io.promptSecret(`Password of the ${what}: `);
      if (flags.hotkey) await store.loadHotkeyPair(walletName, hotkeyName, { password });
      else await store.loadColdkeyPair(walletName, password);
      const name = passwordEnvVarName(keyfile);
      io.err(`The password opens the ${what}. Its variable (keep it private; it reveals the password):\n`);
      io.out(`${name}=${obfuscatePassword(password, name)}\n`);
    });

  addEndpointOptions(
    addWalletFlags(
      wallet
        .command('register')
        .description(
          'Register the hotkey on a subnet with burned_register: shows the burn cost, asks, then signs with the coldkey.',
        ),
      true,
    ),
  )
    .requiredOption('--netuid <netuid>', 'the subnet', parseNetuid)
    .option('-y, --yes', 'do not ask for confirmation (the cost is still printed)')
    .addHelpText('after', PASSWORD_HELP)
    .action(async (flags: WalletFlags & EndpointOptions & { netuid: number; yes?: boolean }) => {
      const { store, walletName, hotkeyName } = context(flags);
      const info = await store.showWallet(walletName);
      const hotkey = info.hotkeys.find((h) => h.name === hotkeyName)?.ss58Address;
      if (!hotkey) throw new WalletError('not_found', `wallet "${walletName}" has no hotkey "${hotkeyName}"`);
      const chain = await (io.openChain ?? openChain)(endpointOf(flags));
      try {
        const uid = await chain.uidOf(flags.netuid, hotkey);
        if (uid !== undefined) {
          io.out(`Hotkey ${hotkey} is already registered on subnet ${flags.netuid} as uid ${uid}.\n`);
          return;
        }
        const cost = await chain.registrationCost(flags.netuid);
        io.out(
          `Registering hotkey ${hotkey} on subnet ${flags.netuid} burns ${formatTao(cost)} TAO ` +
            `from coldkey ${info.coldkey.ss58Address ?? '(unknown)'}. The burn is not refunded.\n`,
        );
        if (!flags.yes) {
          if (!io.confirm) throw new WalletError('invalid_input', 'no terminal to confirm on: pass --yes to register');
          if (!(await io.confirm('Register now? [y/N] '))) {
            io.out('Cancelled; nothing was sent.\n');
            return;
          }
        }
        const path = store.paths(walletName).coldkey;
        const coldkey = await store.loadColdkeyPair(
          walletName,
          await existingPassword(path, `coldkey of wallet "${walletName}"`),
        );
        const result = await chain.burnedRegister(coldkey, flags.netuid, hotkey);
        if (!result.ok) throw new Error(`registration failed: ${result.error.message} (${result.error.name})`);
        const newUid = await chain.uidOf(flags.netuid, hotkey);
        io.out(`Registered: uid ${newUid ?? '?'} on subnet ${flags.netuid}.\n`);
      } finally {
        await chain.close();
      }
    });

  return wallet;
}

/** The wallet with just the named hotkey, as `wallet show --wallet.hotkey NAME` prints it. */
function onlyHotkey(info: WalletInfo, hotkeyName: string): WalletInfo {
  const hotkeys = info.hotkeys.filter((hotkey) => hotkey.name === hotkeyName);
  if (hotkeys.length === 0) {
    const known = info.hotkeys.map((hotkey) => hotkey.name).join(', ') || 'none';
    throw new WalletError('not_found', `wallet "${info.name}" has no hotkey "${hotkeyName}" (its hotkeys: ${known})`);
  }
  return { ...info, hotkeys };
}

function formatWallet(info: WalletInfo): string {
  const rows: [string, KeyInfo][] = [
    ['coldkey', info.coldkey],
    ...info.hotkeys.map((hotkey): [string, KeyInfo] => [`hotkey ${hotkey.name}`, hotkey]),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, key]) => {
    const address = key.ss58Address ?? `(unknown: ${key.problem ?? 'no public file'})`;
    const note = key.encrypted ? '  encrypted' : '';
    return `  ${label.padEnd(width)}  ${address}${note}`;
  });
  if (info.hotkeys.length === 0) lines.push('  (no hotkeys)');
  return `${info.name}  ${info.path}\n${lines.join('\n')}\n`;
}
