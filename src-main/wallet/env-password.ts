/**
 * bittensor-wallet ≥ 2 lets a key file's password come from the environment (wire-protocol §9.6),
 * which is how headless miners and scripts unlock keys without a terminal:
 *
 *   name  = "BT_PW_" + upper(full key file path, with "/" and "." replaced by "_")
 *   value = base64(password XOR the name's bytes, repeated)
 *
 * e.g. /home/alice/.bittensor/wallets/default/coldkey → BT_PW__HOME_ALICE__BITTENSOR_WALLETS_DEFAULT_COLDKEY.
 * The XOR only keeps the password from being readable at a glance (`env`, `ps e`); anyone who can
 * read the environment can recover it. The older SDK 7 variable `BT_COLD_PW_<NAME>` held the
 * password in plain text and is deliberately not read.
 */
import { resolve } from 'node:path';

/** The variable that may hold the password of the key file at `keyfilePath`. */
export function passwordEnvVarName(keyfilePath: string): string {
  return `BT_PW_${resolve(keyfilePath).replace(/[/.]/g, '_').toUpperCase()}`;
}

/** password → variable value. */
export function obfuscatePassword(password: string, varName: string): string {
  return Buffer.from(xorWithName(Buffer.from(password, 'utf8'), varName)).toString('base64');
}

/** variable value → password; undefined if the value is not base64 of UTF-8 text. */
export function deobfuscatePassword(value: string, varName: string): string | undefined {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) return undefined;
  const bytes = xorWithName(Buffer.from(trimmed, 'base64'), varName);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** The password for `keyfilePath` from `env`, or undefined when its variable is unset or unusable. */
export function passwordFromEnv(keyfilePath: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = passwordEnvVarName(keyfilePath);
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  return deobfuscatePassword(value, name);
}

function xorWithName(bytes: Uint8Array, varName: string): Uint8Array {
  const key = Buffer.from(varName, 'utf8');
  return bytes.map((byte, i) => byte ^ (key[i % key.length] ?? 0));
}
