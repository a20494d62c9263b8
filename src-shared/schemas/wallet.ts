/**
 * Wallets as the app shows them (btcli's folder layout: coldkey, coldkeypub.txt, hotkeys/), the
 * coldkey actions (register) and the Signer round trip with a browser extension (issue #13).
 * Passwords and mnemonics travel only in the commands that need them and are never stored or
 * logged; amounts are rao as decimal strings.
 */
import { z } from 'zod';
import { RaoStringSchema } from './network.js';

/** btcli's names: letters, digits, `-`, `_`, `.`; not starting with a dot. */
export const WalletNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^(?!\.)[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" or "-", not starting with "."');

export const PasswordSchema = z.string().min(6, 'at least 6 characters').max(1024);

export const KeySummarySchema = z.strictObject({
  name: z.string(),
  /** null when no public file says it (then `problem` says why). */
  address: z.string().nullable(),
  /** Whether the secret file is encrypted; null when there is no secret file (watch-only). */
  encrypted: z.boolean().nullable(),
  problem: z.string().nullable(),
});
export type KeySummary = z.infer<typeof KeySummarySchema>;

export const WalletSummarySchema = z.strictObject({
  name: z.string(),
  path: z.string(),
  coldkey: KeySummarySchema,
  hotkeys: z.array(KeySummarySchema),
});
export type WalletSummary = z.infer<typeof WalletSummarySchema>;

export const WalletListSchema = z.strictObject({
  /** The folder of wallets (the `walletPath` setting, ~/.bittensor/wallets by default). */
  root: z.string(),
  wallets: z.array(WalletSummarySchema),
});
export type WalletList = z.infer<typeof WalletListSchema>;

export const WalletCreateInputSchema = z.strictObject({
  name: WalletNameSchema,
  hotkey: WalletNameSchema.default('default'),
  /** Encrypts the coldkey; used for this call only. */
  password: PasswordSchema,
  words: z.union([z.literal(12), z.literal(24)]).default(12),
});

export const WalletCreateOutputSchema = z.strictObject({
  wallet: WalletSummarySchema,
  /** Shown once, then forgotten: the app never stores it. */
  coldkeyMnemonic: z.string(),
  hotkeyMnemonic: z.string(),
});

export const WalletRegenerateInputSchema = z.discriminatedUnion('key', [
  z.strictObject({
    key: z.literal('coldkey'),
    name: WalletNameSchema,
    mnemonic: z.string().min(1).max(1000),
    password: PasswordSchema,
    overwrite: z.boolean().default(false),
  }),
  z.strictObject({
    key: z.literal('hotkey'),
    name: WalletNameSchema,
    hotkey: WalletNameSchema,
    mnemonic: z.string().min(1).max(1000),
    overwrite: z.boolean().default(false),
  }),
  /** A watch-only coldkey: its address alone (an extension account as the wallet's coldkey); a `default` hotkey is made when the wallet has none. */
  z.strictObject({
    key: z.literal('coldkeypub'),
    name: WalletNameSchema,
    address: z.string().min(1).max(64),
    overwrite: z.boolean().default(false),
  }),
]);
export type WalletRegenerateInput = z.infer<typeof WalletRegenerateInputSchema>;

export const WalletImportInputSchema = z.strictObject({
  /** A btcli wallet folder (holding coldkeypub.txt and/or hotkeys/). */
  path: z.string().min(1).max(4096),
  /** Name under the wallets folder; default the folder's own name. */
  name: WalletNameSchema.optional(),
});

export const HotkeyOverviewSchema = z.strictObject({
  name: z.string(),
  address: z.string(),
  /** uid on the current subnet; null when not registered. */
  uid: z.number().int().nonnegative().nullable(),
  /** Alpha staked on the hotkey on this subnet, rao; null when not registered. */
  stake: RaoStringSchema.nullable(),
});

export const WalletOverviewSchema = z.strictObject({
  name: z.string(),
  coldkey: z.strictObject({ address: z.string().nullable(), free: RaoStringSchema.nullable() }),
  hotkeys: z.array(HotkeyOverviewSchema),
  network: z.strictObject({
    kind: z.enum(['local', 'remote']),
    netuid: z.number().int().nonnegative(),
    /** What burned_register costs now, rao. */
    burn: RaoStringSchema,
    block: z.number().int().nonnegative(),
  }),
});
export type WalletOverview = z.infer<typeof WalletOverviewSchema>;

export const SignerChoiceSchema = z.discriminatedUnion('kind', [
  /** The wallet's btcli coldkey, unlocked with `password` for this call only. */
  z.strictObject({ kind: z.literal('local'), wallet: WalletNameSchema, password: z.string().max(1024) }),
  /** An account of a Polkadot browser extension; the page signs when the engine asks. */
  z.strictObject({ kind: z.literal('extension'), address: z.string().min(1).max(64) }),
]);
export type SignerChoice = z.infer<typeof SignerChoiceSchema>;

export const WalletRegisterInputSchema = z.strictObject({
  /** The hotkey to register on the current network's subnet. */
  hotkeyAddress: z.string().min(1).max(64),
  signer: SignerChoiceSchema,
});

export const WalletRegisterOutputSchema = z.discriminatedUnion('ok', [
  z.strictObject({
    ok: z.literal(true),
    uid: z.number().int().nonnegative().nullable(),
    block: z.number().int().nonnegative().nullable(),
    txHash: z.string(),
  }),
  z.strictObject({ ok: z.literal(false), error: z.strictObject({ name: z.string(), message: z.string() }) }),
]);
export type WalletRegisterOutput = z.infer<typeof WalletRegisterOutputSchema>;

const HexSchema = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, 'hex with 0x');

/** The engine asks the page to have the extension sign (the page answers with `signer.respond`). */
export const SignerRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    requestId: z.string(),
    address: z.string(),
    kind: z.literal('raw'),
    /** The bytes to sign, as the extension's `signRaw` takes them. */
    data: HexSchema,
    /** For people: what is being signed. */
    description: z.string(),
  }),
  z.strictObject({
    requestId: z.string(),
    address: z.string(),
    kind: z.literal('payload'),
    /** @polkadot/api's SignerPayloadJSON, passed to the extension's `signPayload` unchanged. */
    payload: z.record(z.string(), z.unknown()),
    description: z.string(),
  }),
]);
export type SignerRequest = z.infer<typeof SignerRequestSchema>;

export const SignerRespondInputSchema = z.union([
  z.strictObject({ requestId: z.string().min(1).max(64), signature: HexSchema }),
  /** The user refused, or the extension failed: the engine gives up on this call. */
  z.strictObject({ requestId: z.string().min(1).max(64), error: z.string().max(500) }),
]);

/** What the app around the page can do; pages branch on these, not on the transport. */
export const CapabilitiesSchema = z.strictObject({
  /** The page may use a Polkadot browser extension (a browser, not Electron). */
  extensionSigning: z.boolean(),
  /** A tray icon and minimise to tray (Electron). */
  tray: z.boolean(),
  /** Native file and folder pickers (Electron). */
  fileDialogs: z.boolean(),
});
export type Capabilities = z.infer<typeof CapabilitiesSchema>;
